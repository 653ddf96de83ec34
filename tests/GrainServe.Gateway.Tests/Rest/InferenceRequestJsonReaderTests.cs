using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Errors;

namespace GrainServe.Gateway.Rest;

public sealed class InferenceRequestJsonReaderTests
{
    [Fact]
    public void Fp32Data_InTheUsualOrder_DecodesNestedArraysRowMajor()
    {
        var tensor = Input("""{"name":"X","shape":[2,2],"datatype":"FP32","data":[[1.5,-2],[3e2,0.1]]}""");

        Assert.Equal([1.5f, -2f, 300f, 0.1f], Floats(tensor.Data));
        Assert.Equal([2L, 2L], tensor.Shape);
    }

    [Theory]
    [InlineData("""{"data":[1.5,-2,300,0.1],"name":"X","shape":[4],"datatype":"FP32"}""")]
    [InlineData("""{"name":"X","datatype":"FP32","data":[[1.5,-2],[300,0.1]],"shape":[4]}""")]
    [InlineData("""{"name":"X","shape":[4],"datatype":"FP32","data":[1.5,-2,300,0.1]}""")]
    public void Fp32Data_InAnyPropertyOrder_DecodesTheSameBytes(string input)
    {
        Assert.Equal([1.5f, -2f, 300f, 0.1f], Floats(Input(input).Data));
    }

    [Fact]
    public void Fp32Data_ParsesEachNumberAsASingle_AsTheElementPathDoes()
    {
        // 0.1 parsed as a double and then narrowed can differ in the last bit from 0.1 parsed as a single.
        const string Numbers = "[0.1,3.4028235E38,1e-45,16777217,-0.0]";
        var streamed = Input($$"""{"name":"X","shape":[5],"datatype":"FP32","data":{{Numbers}}}""");
        var buffered = Input($$"""{"data":{{Numbers}},"name":"X","shape":[5],"datatype":"FP32"}""");

        Assert.Equal(streamed.Data, buffered.Data);
        Assert.Equal([0.1f, float.MaxValue, float.Epsilon, 16777216f, -0f], Floats(streamed.Data));
    }

    [Fact]
    public void Fp32Data_NamedLiterals_StandForNonFiniteFloats()
    {
        var values = Floats(Input("""{"name":"X","shape":[3],"datatype":"FP32","data":["NaN","Infinity","-Infinity"]}""").Data);

        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(float.PositiveInfinity, values[1]);
        Assert.Equal(float.NegativeInfinity, values[2]);
    }

    [Fact]
    public void Fp32Data_ScalarAndEmpty_AreKeptAsSent()
    {
        Assert.Equal([7f], Floats(Input("""{"name":"X","shape":[1],"datatype":"FP32","data":7}""").Data));
        Assert.Empty(Input("""{"name":"X","shape":[0],"datatype":"FP32","data":[]}""").Data);
    }

    [Fact]
    public void Fp32Data_CountDifferentFromTheShape_IsKeptForTheValidatorToReject()
    {
        // More elements than the shape sized the buffer for, and fewer: the data decides what is kept.
        Assert.Equal(6, Floats(Input("""{"name":"X","shape":[2,2],"datatype":"FP32","data":[1,2,3,4,5,6]}""").Data).Length);
        Assert.Equal(2, Floats(Input("""{"name":"X","shape":[2,2],"datatype":"FP32","data":[1,2]}""").Data).Length);
    }

    [Fact]
    public void Fp32Data_AHugeShape_DoesNotSizeAHugeBuffer()
    {
        // A billion elements claimed, one sent: the buffer is bounded by the body's length, not the shape.
        var tensor = Input("""{"name":"X","shape":[1000000000],"datatype":"FP32","data":[1]}""");

        Assert.Equal(4, tensor.Data.Length);
    }

    [Theory]
    [InlineData("""[1,true]""", "element 1 (true)")]
    [InlineData("""[[1,2],[3,{"a":1}]]""", "element 3 ({\"a\":1})")]
    [InlineData("""["one"]""", "element 0 (\"one\")")]
    [InlineData("""null""", "element 0 (null)")]
    public void Fp32Data_ABadElement_IsNamedWithItsIndex(string data, string expected)
    {
        var error = Assert.Throws<InferenceException>(() => Input($$"""{"name":"X","shape":[2],"datatype":"FP32","data":{{data}}}"""));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains($"input 'X' {expected} is not a valid FP32 value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"X","shape":[1],"datatype":"FP32","data":[1]}]} trailing""")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1],"datatype":"FP32","data":[1,]}]}""")]
    [InlineData("""{"inputs":[{"name":"X","shape":[1],"datatype":"FP32","data":[1]}""")]
    [InlineData("""[1,2""")]
    public void MalformedJson_AnywhereInTheBody_IsInvalidJson(string body)
    {
        var error = Assert.Throws<InferenceException>(() => Read(body));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.StartsWith("the request body is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProperties_AreSkipped_WhateverTheyHold()
    {
        var request = Read("""{"extra":{"a":[1,{"b":[]}]},"inputs":[{"name":"X","note":[[1]],"shape":[1],"datatype":"INT32","data":[5]}],"id":"r1"}""");

        Assert.Equal("r1", request.Request.Id);
        Assert.Equal([5, 0, 0, 0], request.Request.Inputs[0].Data);
    }

    [Fact]
    public void Parameters_AndOutputs_AreReadAroundTheInputs()
    {
        var request = Read("""{"outputs":[{"name":"Y","parameters":{"binary_data":false}}],"inputs":[{"name":"X","shape":[1],"datatype":"FP32","data":[1]}],"parameters":{"binary_data_output":true}}""");

        Assert.True(request.BinaryOutputsByDefault);
        Assert.False(request.IsBinary("Y"));
        Assert.True(request.IsBinary("Z"));
        Assert.Equal(["Y"], request.Request.RequestedOutputs!);
    }

    // Every datatype's data read in the same pass as the header (name, shape, datatype, then data) gives the bytes
    // that the buffered path (data before the header, decoded from a parsed array) gives.
    [Theory]
    [InlineData("BOOL", "[[true,false],[false,true]]")]
    [InlineData("UINT8", "[0,255,7,128]")]
    [InlineData("INT8", "[-128,127,0,-1]")]
    [InlineData("UINT16", "[0,65535,1,2]")]
    [InlineData("INT16", "[-32768,32767,-2,3]")]
    [InlineData("UINT32", "[0,4294967295,5,6]")]
    [InlineData("INT32", "[-2147483648,2147483647,-7,8]")]
    [InlineData("INT64", "[-9223372036854775808,9223372036854775807,9,-10]")]
    [InlineData("UINT64", "[0,18446744073709551615,11,12]")]
    [InlineData("FP16", "[0.1,-65504,\"NaN\",\"-Infinity\"]")]
    [InlineData("BF16", "[0.1,3.4e38,\"Infinity\",-0.0]")]
    [InlineData("FP32", "[0.1,3.4028235E38,\"NaN\",1e-45]")]
    [InlineData("FP64", "[0.1,1.7976931348623157E308,\"-Infinity\",5e-324]")]
    [InlineData("BYTES", "[\"a\",\"\",\"h\\u00e9llo\",\"\u2603\"]")]
    public void EveryDatatype_InOnePass_DecodesAsTheBufferedPathDoes(string datatype, string data)
    {
        var streamed = Input($$"""{"name":"X","shape":[4],"datatype":"{{datatype}}","data":{{data}}}""");
        var buffered = Input($$"""{"data":{{data}},"name":"X","shape":[4],"datatype":"{{datatype}}"}""");

        Assert.NotEmpty(streamed.Data);
        Assert.Equal(buffered.Data, streamed.Data);
    }

    [Theory]
    [InlineData("INT8", "[1,128]", "element 1 (128) is not a valid INT8 value")]
    [InlineData("UINT32", "[-1]", "element 0 (-1) is not a valid UINT32 value")]
    [InlineData("BOOL", "[true,1]", "element 1 (1) is not a valid BOOL value")]
    [InlineData("INT64", "[1.5]", "element 0 (1.5) is not a valid INT64 value")]
    [InlineData("FP64", "[\"two\"]", "is not a valid FP64 value")]
    [InlineData("BYTES", "[\"a\",2]", "element 1 (2) is not a string")]
    [InlineData("INT32", "[[1],{\"a\":1}]", "element 1 ({\"a\":1}) is not a valid INT32 value")]
    public void EveryDatatype_InOnePass_NamesABadElement(string datatype, string data, string expected)
    {
        var streamed = Assert.Throws<InferenceException>(() => Input($$"""{"name":"X","shape":[2],"datatype":"{{datatype}}","data":{{data}}}"""));
        var buffered = Assert.Throws<InferenceException>(() => Input($$"""{"data":{{data}},"name":"X","shape":[2],"datatype":"{{datatype}}"}"""));

        Assert.Contains(expected, streamed.Message);
        Assert.Equal(buffered.Message, streamed.Message);
    }

    [Fact]
    public void BinaryInput_TakesItsBytesFromAfterTheHeader()
    {
        var header = """{"inputs":[{"name":"X","shape":[2],"datatype":"INT16","parameters":{"binary_data_size":4}}]}"""u8.ToArray();
        var body = header.Concat(new byte[] { 1, 0, 2, 0 }).ToArray();

        var request = InferenceRequestJsonReader.Read(body, header.Length, null);

        Assert.Equal([1, 0, 2, 0], request.Request.Inputs[0].Data);
    }

    private static Contracts.InferTensor Input(string input) => Read($$"""{"inputs":[{{input}}]}""").Request.Inputs[0];

    private static RestInferenceRequest Read(string body) => InferenceRequestJsonReader.Read(Encoding.UTF8.GetBytes(body), null, null);

    private static float[] Floats(byte[] data) => MemoryMarshal.Cast<byte, float>(data).ToArray();
}
