using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.TestSupport;

namespace GrainServe.Models;

public sealed class InferenceRequestValidatorTests
{
    private static readonly ModelConfig Config = new()
    {
        MaxBatchSize = 4,
        Input =
        [
            new ModelTensorConfig { Name = "A", DataType = "TYPE_FP32", Dims = [2] },
            new ModelTensorConfig { Name = "B", DataType = "TYPE_FP32", Dims = [-1] },
        ],
        Output = [new ModelTensorConfig { Name = "Y", DataType = "TYPE_FP32", Dims = [2] }],
    };

    private static (InferenceRequest? Request, InferenceError? Error) Validate(string[]? outputs = null, params InferTensor[] inputs) =>
        InferenceRequestValidator.Validate("m", Config, new InferenceRequest("id", null, inputs, outputs));

    private static InferTensor A(long[] shape, int count) => Floats.Tensor("A", shape, new float[count]);

    private static InferTensor B(long[] shape, int count) => Floats.Tensor("B", shape, new float[count]);

    [Fact]
    public void Validate_ValidRequestInAnyOrder_ReturnsInputsInModelOrder()
    {
        var (request, error) = Validate(null, B([1, 3], 3), A([1, 2], 2));
        Assert.Null(error);
        Assert.Equal(["A", "B"], request!.Inputs.Select(i => i.Name));
        Assert.Equal("id", request.Id);
    }

    public static TheoryData<string, InferTensor[], string[]?> BadRequests => new()
    {
        { "appears more than once", [A([1, 2], 2), A([1, 2], 2), B([1, 1], 1)], null },
        { "needs input 'B'", [A([1, 2], 2)], null },
        { "has no input 'C'", [A([1, 2], 2), B([1, 1], 1), Floats.Tensor("C", [1], 1)], null },
        { "has datatype INT32", [new InferTensor("A", "INT32", [1, 2], new byte[8]), B([1, 1], 1)], null },
        { "expects [-1,2]", [A([1, 3], 3), B([1, 1], 1)], null },
        { "expects [-1,2]", [A([2], 2), B([1, 1], 1)], null },
        { "batch size 5", [A([5, 2], 10), B([5, 1], 5)], null },
        { "batch size 0", [A([0, 2], 0), B([0, 1], 0)], null },
        { "share the batch size", [A([1, 2], 2), B([2, 1], 2)], null },
        { "needs 2", [A([1, 2], 3), B([1, 1], 1)], null },
        { "element count is too large", [A([1, 2], 2), B([1, long.MaxValue / 2], 1)], null },
        { "has no output 'Z'", [A([1, 2], 2), B([1, 1], 1)], ["Z"] },
        { "requested more than once", [A([1, 2], 2), B([1, 1], 1)], ["Y", "Y"] },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Validate_BadRequest_IsInvalidInputWithReason(string expected, InferTensor[] inputs, string[]? outputs)
    {
        var (request, error) = Validate(outputs, inputs);
        Assert.Null(request);
        Assert.Equal(InferenceErrorCode.InvalidInput, error!.Code);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Validate_BytesWithTruncatedElement_IsInvalidInput()
    {
        var config = new ModelConfig
        {
            MaxBatchSize = 0,
            Input = [new ModelTensorConfig { Name = "S", DataType = "TYPE_STRING", Dims = [1] }],
            Output = [new ModelTensorConfig { Name = "S2", DataType = "TYPE_STRING", Dims = [1] }],
        };
        var bad = new InferTensor("S", "BYTES", [1], [5, 0, 0, 0, (byte)'a']);

        var (_, error) = InferenceRequestValidator.Validate("m", config, new InferenceRequest(null, null, [bad], null));

        Assert.Contains("only 1 follow", error!.Message);
    }
}
