using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Grpc.Core;

namespace GrainServe.Gateway.Grpc;

[Collection(DeadlineGatewayCollection.Name)]
public sealed class GrpcDeadlineTests(DeadlineGatewayFixture fixture)
{
    private static ModelInferRequest Request(string model)
    {
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, 4], Tensors.Floats(1, 2, 3, 4)));
        return request;
    }

    [Fact]
    public async Task ModelInfer_DeadlineShorterThanTheInstancesBatchTime_IsDeadlineExceededFromItsQueue()
    {
        // The call's deadline travels to the device: its queue, whose batches take a second, refuses it at once, well
        // before the client's own timer (half a second) would end the call.
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Grpc.ModelInferAsync(Request(DeadlineGatewayFixture.Slow), deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("cannot be answered by its deadline", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_DeadlineLongEnough_Answers()
    {
        var response = await fixture.Grpc.ModelInferAsync(Request(DeadlineGatewayFixture.Levels), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal([2f, 4f, 6f, 8f], response.Outputs[0].Contents.Fp32Contents);
    }

    [Fact]
    public async Task ModelInfer_PriorityOutOfRange_IsInvalidArgument()
    {
        var request = Request(DeadlineGatewayFixture.Levels);
        request.Parameters["priority"] = new InferParameter { Int64Param = 3 };

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("priority 3 is out of range", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_PriorityInRange_Answers()
    {
        var request = Request(DeadlineGatewayFixture.Levels);
        request.Parameters["priority"] = new InferParameter { Uint64Param = 1 };

        Assert.Single((await fixture.Grpc.ModelInferAsync(request)).Outputs);
    }

    [Fact]
    public async Task ModelConfig_PriorityLevels_AreTritonsFields()
    {
        var response = await fixture.Grpc.ModelConfigAsync(new ModelConfigRequest { Name = DeadlineGatewayFixture.Levels });

        Assert.Equal(2ul, response.Config.DynamicBatching.PriorityLevels);
        Assert.Equal(2ul, response.Config.DynamicBatching.DefaultPriorityLevel);
    }
}
