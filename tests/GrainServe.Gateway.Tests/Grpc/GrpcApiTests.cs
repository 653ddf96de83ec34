using System.Runtime.InteropServices;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Grpc.Core;

namespace GrainServe.Gateway.Grpc;

[Collection(GatewayCollection.Name)]
public sealed class GrpcApiTests(GatewayFixture fixture)
{
    private GRPCInferenceService.GRPCInferenceServiceClient Client => fixture.Grpc;

    private async Task<StatusCode> StatusOf(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        return error.StatusCode;
    }

    [Fact]
    public async Task Health_LiveReadyAndServerMetadata()
    {
        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var metadata = await Client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("grainserve", metadata.Name);
        Assert.Equal(["binary_tensor_data", "model_repository", "statistics", "model_configuration"], metadata.Extensions);
    }

    [Fact]
    public async Task ModelMetadataAndReady_SampleModel()
    {
        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple" });
        var ready = await Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple", Version = "1" });
        var broken = await Client.ModelReadyAsync(new ModelReadyRequest { Name = "broken" });

        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        Assert.Equal([-1L, 16L], metadata.Inputs[0].Shape);
        Assert.Equal("INT32", metadata.Outputs[1].Datatype);
        Assert.True(ready.Ready);
        Assert.False(broken.Ready);
    }

    [Fact]
    public async Task ModelMetadata_UnknownModelOrVersion_IsNotFound()
    {
        Assert.Equal(StatusCode.NotFound, await StatusOf(() => Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, await StatusOf(() => Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple", Version = "9" }).ResponseAsync));
    }

    [Fact]
    public async Task ModelInfer_TypedContents_ReturnsTypedOutputsAndEchoesId()
    {
        var response = await Client.ModelInferAsync(Tensors.Simple("typed-1"));

        Assert.Equal("typed-1", response.Id);
        Assert.Empty(response.RawOutputContents);
        Assert.Equal(Enumerable.Range(1, 16), response.Outputs[0].Contents.IntContents);
        Assert.Equal(Enumerable.Range(-1, 16), response.Outputs[1].Contents.IntContents);
    }

    [Fact]
    public async Task ModelInfer_RawContents_ReturnsRawOutputsAndSelectedOutputOnly()
    {
        var request = new ModelInferRequest { ModelName = "add_sub" };
        request.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, 4]));
        request.Inputs.Add(Tensors.Input("INPUT1", "FP32", [1, 4]));
        request.RawInputContents.Add(Tensors.Raw(1, 2, 3, 4));
        request.RawInputContents.Add(Tensors.Raw(0.5f, 0.5f, 0.5f, 0.5f));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "OUTPUT1" });

        var response = await Client.ModelInferAsync(request);

        Assert.Equal("OUTPUT1", Assert.Single(response.Outputs).Name);
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f], MemoryMarshal.Cast<byte, float>(Assert.Single(response.RawOutputContents).Span).ToArray());
    }

    [Fact]
    public async Task ModelInfer_Fp16_TravelsRawOnlyAndTypedIsInvalid()
    {
        var halves = new[] { (Half)1.5, (Half)(-2) };
        var raw = new ModelInferRequest { ModelName = "identity_fp16" };
        raw.Inputs.Add(Tensors.Input("INPUT0", "FP16", [1, 2]));
        raw.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan())));
        var typed = new ModelInferRequest { ModelName = "identity_fp16" };
        typed.Inputs.Add(Tensors.Input("INPUT0", "FP16", [1, 2], Tensors.Floats(1.5f, -2)));

        var response = await Client.ModelInferAsync(raw);

        Assert.Equal(halves, MemoryMarshal.Cast<byte, Half>(response.RawOutputContents[0].Span).ToArray());
        Assert.Equal(StatusCode.InvalidArgument, await StatusOf(() => Client.ModelInferAsync(typed).ResponseAsync));
    }

    public static TheoryData<string, Func<ModelInferRequest>, StatusCode> BadRequests => new()
    {
        { "wrong datatype", () => { var r = Tensors.Simple(); r.Inputs[0].Datatype = "FP32"; r.Inputs[0].Contents = Tensors.Floats(new float[16]); return r; }, StatusCode.InvalidArgument },
        { "unknown datatype", () => { var r = Tensors.Simple(); r.Inputs[0].Datatype = "COMPLEX"; return r; }, StatusCode.InvalidArgument },
        { "wrong shape", () => { var r = Tensors.Simple(); r.Inputs[0].Shape[1] = 15; return r; }, StatusCode.InvalidArgument },
        { "element count", () => { var r = Tensors.Simple(); r.Inputs[0].Contents = Tensors.Ints(1, 2, 3); return r; }, StatusCode.InvalidArgument },
        { "negative dim", () => { var r = Tensors.Simple(); r.Inputs[0].Shape[1] = -16; return r; }, StatusCode.InvalidArgument },
        { "overflowing dims", () => { var r = Tensors.Simple(); r.Inputs[0].Shape[0] = long.MaxValue; return r; }, StatusCode.InvalidArgument },
        { "missing input", () => { var r = Tensors.Simple(); r.Inputs.RemoveAt(1); return r; }, StatusCode.InvalidArgument },
        { "unknown input", () => { var r = Tensors.Simple(); r.Inputs.Add(Tensors.Input("EXTRA", "INT32", [1], Tensors.Ints(1))); return r; }, StatusCode.InvalidArgument },
        { "duplicate input", () => { var r = Tensors.Simple(); r.Inputs[1].Name = "INPUT0"; return r; }, StatusCode.InvalidArgument },
        { "batch too large", () => { var r = Tensors.Simple(); r.Inputs[0].Shape[0] = 9; r.Inputs[1].Shape[0] = 9; r.Inputs[0].Contents = Tensors.Ints(new int[144]); r.Inputs[1].Contents = Tensors.Ints(new int[144]); return r; }, StatusCode.InvalidArgument },
        { "unknown output", () => { var r = Tensors.Simple(); r.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "OUTPUT9" }); return r; }, StatusCode.InvalidArgument },
        { "raw count mismatch", () => { var r = Tensors.Simple(); r.RawInputContents.Add(ByteString.CopyFrom(new byte[64])); return r; }, StatusCode.InvalidArgument },
        { "int8 out of range", () => { var r = new ModelInferRequest { ModelName = "identity_int8" }; r.Inputs.Add(Tensors.Input("INPUT0", "INT8", [1, 1], Tensors.Ints(300))); return r; }, StatusCode.InvalidArgument },
        { "empty model name", () => { var r = Tensors.Simple(); r.ModelName = ""; return r; }, StatusCode.InvalidArgument },
        { "unknown model", () => { var r = Tensors.Simple(); r.ModelName = "nope"; return r; }, StatusCode.NotFound },
        { "unknown version", () => { var r = Tensors.Simple(); r.ModelVersion = "4"; return r; }, StatusCode.NotFound },
        { "broken model", () => { var r = new ModelInferRequest { ModelName = "broken" }; r.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, 1], Tensors.Floats(1))); return r; }, StatusCode.Unavailable },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ModelInfer_BadInput_ReturnsTheStatusRestWouldMapTo(string name, Func<ModelInferRequest> build, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(build()).ResponseAsync);
        Assert.True(expected == error.StatusCode, $"{name}: {error.StatusCode} {error.Status.Detail}");
        Assert.False(string.IsNullOrEmpty(error.Status.Detail));
    }

    [Fact]
    public async Task ModelInfer_MessageOverTheLimit_IsResourceExhausted()
    {
        var request = new ModelInferRequest { ModelName = "identity_fp32" };
        request.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, GatewayFixture.MaxRequestBytes / 4 + 16]));
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[GatewayFixture.MaxRequestBytes + 64]));

        Assert.Equal(StatusCode.ResourceExhausted, await StatusOf(() => Client.ModelInferAsync(request).ResponseAsync));
    }

    [Fact]
    public async Task ModelInfer_200Concurrent_EachGetsItsOwnAnswer()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Client.ModelInferAsync(Tensors.Simple($"c{i}", offset: i)).ResponseAsync));

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal($"c{i}", responses[i].Id);
            Assert.Equal(Enumerable.Range(i + 1, 16), responses[i].Outputs[0].Contents.IntContents);
        }
    }

    [Fact]
    public async Task ModelStreamInfer_InterleavedGoodAndBad_AnswersEachAndKeepsStreaming()
    {
        using var call = Client.ModelStreamInfer();
        for (var i = 0; i < 20; i++)
        {
            var request = Tensors.Simple($"s{i}", offset: i);
            if (i % 3 == 1)
            {
                request.Inputs[0].Shape[1] = 15;
            }

            await call.RequestStream.WriteAsync(request);
        }

        await call.RequestStream.CompleteAsync();
        var answers = new Dictionary<string, ModelStreamInferResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            answers[response.InferResponse.Id] = response;
        }

        Assert.Equal(20, answers.Count);
        for (var i = 0; i < 20; i++)
        {
            var answer = answers[$"s{i}"];
            if (i % 3 == 1)
            {
                Assert.Contains("expects [-1,16]", answer.ErrorMessage);
            }
            else
            {
                Assert.Equal("", answer.ErrorMessage);
                Assert.Equal(Enumerable.Range(i + 1, 16), answer.InferResponse.Outputs[0].Contents.IntContents);
            }
        }
    }

    [Fact]
    public async Task Repository_UnloadThenInferThenLoad_OverGrpc()
    {
        var request = new ModelInferRequest { ModelName = "reload_grpc" };
        request.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, 2], Tensors.Floats(1, 2)));

        await Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "reload_grpc" });
        var whileUnloaded = await StatusOf(() => Client.ModelInferAsync(request).ResponseAsync);
        var index = await Client.RepositoryIndexAsync(new RepositoryIndexRequest());
        var load = new RepositoryModelLoadRequest { ModelName = "reload_grpc" };
        load.Parameters["config"] = new ModelRepositoryParameter { StringParam = """{ "max_batch_size": 4 }""" };
        await Client.RepositoryModelLoadAsync(load);
        var response = await Client.ModelInferAsync(request);
        var config = await Client.ModelConfigAsync(new ModelConfigRequest { Name = "reload_grpc" });

        Assert.Equal(StatusCode.Unavailable, whileUnloaded);
        var entry = Assert.Single(index.Models, m => m.Name == "reload_grpc");
        Assert.Equal("UNAVAILABLE", entry.State);
        Assert.Equal("unloaded", entry.Reason);
        Assert.Equal([3f, 6f], response.Outputs[0].Contents.Fp32Contents);
        Assert.Equal(4, config.Config.MaxBatchSize);
        Assert.Equal(DataType.TypeFp32, config.Config.Input[0].DataType);
    }

    [Fact]
    public async Task RepositoryModelLoad_UnknownModel_IsNotFound()
    {
        Assert.Equal(StatusCode.NotFound, await StatusOf(() => Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "nope" }).ResponseAsync));
    }

    [Fact]
    public async Task ModelConfigAndStatistics_SampleModel()
    {
        await Client.ModelInferAsync(Tensors.Simple());
        var config = await Client.ModelConfigAsync(new ModelConfigRequest { Name = "simple" });
        var statistics = await Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "simple" });

        Assert.Equal(8, config.Config.MaxBatchSize);
        Assert.Equal([4, 8], config.Config.DynamicBatching.PreferredBatchSize);
        Assert.Equal(100UL, config.Config.DynamicBatching.MaxQueueDelayMicroseconds);
        Assert.Equal(ModelQueuePolicy.Types.TimeoutAction.Reject, config.Config.DynamicBatching.DefaultQueuePolicy.TimeoutAction);
        var stats = Assert.Single(statistics.ModelStats);
        Assert.Equal("1", stats.Version);
        Assert.True(stats.InferenceStats.Success.Count >= 1);
        Assert.True(stats.InferenceStats.ComputeInfer.Ns > 0);
        Assert.NotEmpty(stats.BatchStats);
    }

    [Theory]
    [InlineData("ModelInfer")]
    [InlineData("ModelMetadata")]
    [InlineData("RepositoryModelLoad")]
    public async Task UnaryCall_BytesThatAreNotTheMessage_IsInvalidArgumentNamingIt(string method)
    {
        // A field tag with wire type 7, which no protobuf message has: the parser fails before any service code runs.
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var call = new Method<byte[], byte[]>(MethodType.Unary, "inference.GRPCInferenceService", method, bytes, bytes);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(), [0x0F, 0x01]).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a valid", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("protobuf", error.Status.Detail, StringComparison.Ordinal);
    }
}
