using GrainServe.Gateway.Grpc;
using GrainServe.Gateway.Grpc.Protocol;
using Grpc.Core;

namespace GrainServe.PlainServer;

/// <summary>ModelInfer only, over the same protocol messages as GrainServe.</summary>
internal sealed class PlainGrpcService(PlainModels models) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var response = await models.InferAsync(request.ModelName, GrpcRequestConverter.ToRequest(request));
        return GrpcRequestConverter.ToResponse(response, request);
    }
}
