using Google.Protobuf;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Models;
using Grpc.Core;

namespace GrainServe.Gateway.Grpc;

/// <summary>
/// The Open Inference Protocol's <c>inference.GRPCInferenceService</c> with Triton's extension RPCs, as a thin
/// adapter over <see cref="IInferenceDataPlane"/>. Errors become gRPC statuses in <see cref="GrpcErrorInterceptor"/>;
/// a message that does not parse is INVALID_ARGUMENT through <see cref="StrictMessageBinding"/>.
/// </summary>
[BindServiceMethod(typeof(StrictMessageBinding), nameof(StrictMessageBinding.BindService))]
internal sealed class GrpcInferenceService(IInferenceDataPlane dataPlane) : GRPCInferenceService.GRPCInferenceServiceBase
{
    private static readonly JsonParser ConfigParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override async Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        new() { Ready = await dataPlane.IsReadyAsync(context.CancellationToken) };

    public override async Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        new() { Ready = await dataPlane.IsModelReadyAsync(RequiredName(request.Name), Version(request.Version), context.CancellationToken) };

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var metadata = dataPlane.GetServerMetadata();
        var response = new ServerMetadataResponse { Name = metadata.Name, Version = metadata.Version };
        response.Extensions.AddRange(metadata.Extensions);
        return Task.FromResult(response);
    }

    public override async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var metadata = await dataPlane.GetModelMetadataAsync(RequiredName(request.Name), Version(request.Version), context.CancellationToken);
        var response = new ModelMetadataResponse { Name = metadata.Name, Platform = metadata.Platform };
        response.Versions.AddRange(metadata.Versions);
        response.Inputs.AddRange(metadata.Inputs.Select(Describe));
        response.Outputs.AddRange(metadata.Outputs.Select(Describe));
        response.Properties["state"] = metadata.State.ToString().ToUpperInvariant();
        if (metadata.Reason is not null)
        {
            response.Properties["reason"] = metadata.Reason;
        }

        return response;
    }

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
        InferAsync(request, context, context.CancellationToken);

    public override async Task ModelStreamInfer(IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context)
    {
        // Requests run concurrently, as they arrive; responses are written one at a time, in completion order,
        // each carrying its request's id. A bad request answers with error_message and the stream goes on.
        using var writeLock = new SemaphoreSlim(1, 1);
        var running = new List<Task>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            running.Add(AnswerAsync(request));
        }

        await Task.WhenAll(running);

        async Task AnswerAsync(ModelInferRequest request)
        {
            ModelStreamInferResponse response;
            try
            {
                // Decoupled: many responses for one request, the last flagged final.
                switch (await GrpcGeneration.DecoupledKindAsync(dataPlane, request, context.CancellationToken))
                {
                    case ModelKinds.TextGeneration:
                        await GrpcGeneration.RunAsync(dataPlane, request, GrpcHeaders(context), WriteAsync, context.CancellationToken);
                        return;
                    case ModelKinds.TtsPiper or ModelKinds.TtsXtts:
                        await GrpcSpeech.RunAsync(dataPlane, request, GrpcHeaders(context), WriteAsync, context.CancellationToken);
                        return;
                }

                response = new ModelStreamInferResponse { InferResponse = await InferAsync(request, context, context.CancellationToken) };
            }
            catch (InferenceException ex)
            {
                response = ErrorResponse(request, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Every request of the stream is answered: a fault here must not leave its caller waiting for a final
                // response (the interceptor only sees faults of the whole call).
                response = ErrorResponse(request, $"internal error: {ex.Message}");
            }

            await WriteAsync(response);
        }

        static ModelStreamInferResponse ErrorResponse(ModelInferRequest request, string message)
        {
            var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id };
            // A decoupled (generation) client waits for the final flag; a classic one ignores it.
            response.Parameters["triton_final_response"] = new InferParameter { BoolParam = true };
            return new ModelStreamInferResponse { ErrorMessage = message, InferResponse = response };
        }

        async Task WriteAsync(ModelStreamInferResponse response)
        {
            await writeLock.WaitAsync(context.CancellationToken);
            try
            {
                await responseStream.WriteAsync(response, context.CancellationToken);
            }
            finally
            {
                writeLock.Release();
            }
        }
    }

    public override async Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        var config = await dataPlane.GetModelConfigAsync(RequiredName(request.Name), Version(request.Version), context.CancellationToken);
        // The config is kept in Triton's JSON form, whose field names are the proto's: the parser maps it across.
        return new ModelConfigResponse { Config = ConfigParser.Parse<Protocol.ModelConfig>(ModelConfigJson.Write(config)) };
    }

    public override async Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context)
    {
        var model = string.IsNullOrEmpty(request.Name) ? null : request.Name;
        var statistics = await dataPlane.GetStatisticsAsync(model, Version(request.Version), context.CancellationToken);
        var response = new ModelStatisticsResponse();
        response.ModelStats.AddRange(statistics.Select(GrpcStatistics.ToProto));
        return response;
    }

    public override async Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var index = await dataPlane.GetRepositoryIndexAsync(request.Ready, context.CancellationToken);
        var response = new RepositoryIndexResponse();
        response.Models.AddRange(index.Select(e => new RepositoryIndexResponse.Types.ModelIndex { Name = e.Name, Version = e.Version, State = e.State, Reason = e.Reason }));
        return response;
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        string? config = null;
        if (request.Parameters.TryGetValue("config", out var parameter))
        {
            config = parameter.ParameterChoiceCase == ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam
                ? parameter.StringParam
                : throw new InferenceException(InferenceErrorCode.InvalidInput, "parameter \"config\" must be a string_param holding a JSON model configuration");
        }

        await dataPlane.LoadModelAsync(RequiredName(request.ModelName), config, context.CancellationToken);
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        await dataPlane.UnloadModelAsync(RequiredName(request.ModelName), context.CancellationToken);
        return new RepositoryModelUnloadResponse();
    }

    private async Task<ModelInferResponse> InferAsync(ModelInferRequest request, ServerCallContext context, CancellationToken cancellationToken)
    {
        var inference = GrpcRequestConverter.ToRequest(request);

        // The call's deadline (DateTime.MaxValue for none) travels with the request to the device's queue.
        if (context.Deadline < DateTime.MaxValue)
        {
            inference = inference.WithDeadline(new DateTimeOffset(context.Deadline.ToUniversalTime(), TimeSpan.Zero));
        }

        var result = await dataPlane.InferAsync(RequiredName(request.ModelName), inference, GrpcHeaders(context), cancellationToken);
        if (result.Error is { } error)
        {
            throw new InferenceException(error);
        }

        return GrpcRequestConverter.ToResponse(result.Response!, request);
    }

    // gRPC metadata keys are lower case; a traffic split's sticky header is read from them.
    private static Func<string, string?> GrpcHeaders(ServerCallContext context) =>
        name => context.RequestHeaders.GetValue(name.ToLowerInvariant());

    private static ModelMetadataResponse.Types.TensorMetadata Describe(TensorMetadata tensor)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = tensor.Name, Datatype = tensor.Datatype };
        metadata.Shape.AddRange(tensor.Shape);
        return metadata;
    }

    private static string RequiredName(string name) =>
        string.IsNullOrEmpty(name) ? throw new InferenceException(InferenceErrorCode.InvalidInput, "the model name is empty") : name;

    private static string? Version(string version) => string.IsNullOrEmpty(version) ? null : version;
}
