using Google.Protobuf;
using GrainServe.Errors;
using GrainServe.Gateway.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrainServe.Gateway.Grpc;

/// <summary>
/// The one place gRPC exceptions become statuses: an <see cref="InferenceException"/> gets its code's status from
/// <see cref="InferenceErrorStatus"/>; anything else unexpected is INTERNAL with its message, never UNKNOWN.
/// </summary>
internal sealed partial class GrpcErrorInterceptor(ILogger<GrpcErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } status)
        {
            throw status;
        }
    }

    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RpcException:
                return null;
            case InferenceException inference:
                return new RpcException(new Status(InferenceErrorStatus.ToGrpc(inference.Code), inference.Message));
            case InvalidProtocolBufferException malformed:
                // A stream's messages are parsed as the service reads them, so a malformed one surfaces here (a unary
                // call's is parsed by grpc-dotnet before any interceptor runs).
                return new RpcException(new Status(StatusCode.InvalidArgument, $"the request message is not a valid protobuf: {malformed.Message}"));
            case var failure when ClusterFailure.IsUnreachable(failure):
                return new RpcException(new Status(StatusCode.Unavailable, $"the cluster could not answer: {exception.Message}; retry"));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                LogUnhandled(logger, exception, context.Method);
                return new RpcException(new Status(StatusCode.Internal, $"internal error: {exception.Message}"));
        }
    }

    [LoggerMessage(EventId = EventIds.UnhandledGrpcError, EventName = nameof(EventIds.UnhandledGrpcError), Level = LogLevel.Error, Message = "gRPC call {Method} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);
}
