using System.Buffers.Binary;
using GrainServe.Contracts;
using GrainServe.Models;
using GrainServe.TestSupport;

namespace GrainServe.Runtime;

public sealed class ModelWarmupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("warmup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ModelWarmupConfig Sample(int batchSize, params (string Name, ModelWarmupInputConfig Input)[] inputs) =>
        new() { Name = "s", BatchSize = batchSize, Inputs = inputs.ToDictionary(i => i.Name, i => i.Input) };

    private static ModelWarmupInputConfig Input(string type, long[] dims, bool zero = false, bool random = false, string? file = null) =>
        new() { DataType = type, Dims = [.. dims], ZeroData = zero ? true : null, RandomData = random ? true : null, InputDataFile = file };

    private void WriteData(string file, byte[] content)
    {
        Directory.CreateDirectory(Path.Combine(_directory, "warmup"));
        File.WriteAllBytes(Path.Combine(_directory, "warmup", file), content);
    }

    [Fact]
    public void Request_BatchedModel_RepeatsEachInputAlongTheBatchDimension()
    {
        WriteData("a", Floats.ToBytes(1.5f, -2f));

        var request = ModelWarmup.Request(Sample(3, ("A", Input("TYPE_FP32", [2], file: "a")), ("B", Input("TYPE_INT32", [1, 2], zero: true))), "s", batched: true, _directory);

        var a = Assert.Single(request.Inputs, t => t.Name == "A");
        Assert.Equal([3L, 2L], a.Shape);
        Assert.Equal([1.5f, -2f, 1.5f, -2f, 1.5f, -2f], Floats.FromBytes(a.Data));
        var b = Assert.Single(request.Inputs, t => t.Name == "B");
        Assert.Equal("INT32", b.Datatype);
        Assert.Equal([3L, 1L, 2L], b.Shape);
        Assert.Equal(new byte[24], b.Data);
    }

    [Fact]
    public void Request_ModelWithoutBatching_UsesTheDimsAsTheShape()
    {
        var request = ModelWarmup.Request(Sample(1, ("A", Input("TYPE_FP32", [2, 2], zero: true))), "s", batched: false, _directory);

        Assert.Equal([2L, 2L], Assert.Single(request.Inputs).Shape);
    }

    [Fact]
    public void Request_StringZeroAndRandomData_AreEmptyStrings()
    {
        var request = ModelWarmup.Request(Sample(1, ("Z", Input("TYPE_STRING", [3], zero: true)), ("R", Input("TYPE_STRING", [2], random: true))), "s", batched: false, _directory);

        Assert.All(request.Inputs, t => Assert.Equal("BYTES", t.Datatype));
        Assert.Equal(["", "", ""], BytesElements.Unpack(request.Inputs.Single(t => t.Name == "Z").Data).Select(e => System.Text.Encoding.UTF8.GetString(e.Span)));
        Assert.Equal(2, BytesElements.Unpack(request.Inputs.Single(t => t.Name == "R").Data).Count(e => e.Length == 0));
    }

    [Fact]
    public void Request_RandomFloats_AreInTheUnitIntervalAndTheSameForEveryInstance()
    {
        var sample = Sample(1, ("A", Input("TYPE_FP32", [64], random: true)), ("H", Input("TYPE_FP16", [8], random: true)));

        var first = ModelWarmup.Request(sample, "s", batched: false, _directory);
        var second = ModelWarmup.Request(sample, "s", batched: false, _directory);

        var values = Floats.FromBytes(first.Inputs.Single(t => t.Name == "A").Data);
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.True(values.Distinct().Count() > 32, "random, not constant");
        var halves = first.Inputs.Single(t => t.Name == "H").Data;
        Assert.All(Enumerable.Range(0, 8), i => Assert.InRange((float)BinaryPrimitives.ReadHalfLittleEndian(halves.AsSpan(i * 2)), 0f, 1f));
        Assert.Equal(first.Inputs.Select(t => t.Data), second.Inputs.Select(t => t.Data));
    }

    [Fact]
    public void Request_StringFile_IsReadAsLengthPrefixedElements()
    {
        WriteData("text", BytesElements.Pack(["hello"u8.ToArray(), "warm"u8.ToArray()]));

        var request = ModelWarmup.Request(Sample(2, ("T", Input("TYPE_STRING", [2], file: "text"))), "s", batched: true, _directory);

        Assert.Equal(["hello", "warm", "hello", "warm"], BytesElements.Unpack(Assert.Single(request.Inputs).Data).Select(e => System.Text.Encoding.UTF8.GetString(e.Span)));
    }

    [Theory]
    [InlineData("TYPE_FP32", 12, "holds 12 bytes, and 2 FP32 elements take 8")]
    [InlineData("TYPE_STRING", 7, "is not 2 BYTES elements")]
    public void Request_FileOfTheWrongSize_SaysWhatItHoldsAndNeeds(string type, int bytes, string expected)
    {
        WriteData("bad", new byte[bytes]);

        var error = Assert.Throws<InvalidDataException>(() => ModelWarmup.Request(Sample(1, ("A", Input(type, [2], file: "bad"))), "s", batched: false, _directory));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
