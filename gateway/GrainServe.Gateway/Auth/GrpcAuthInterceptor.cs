using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Gateway.Quotas;
using GrainServe.Quotas;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// The gRPC side of the API keys: the <c>authorization</c> metadata entry (<c>Bearer &lt;key&gt;</c>), the method's scopes
/// from <see cref="ApiKeyRoutes"/> and the model each request names; UNAUTHENTICATED or PERMISSION_DENIED otherwise. The
/// repository index and the statistics of every model answer only with the key's models. The identity is put on the
/// call's HTTP features, as on REST.
/// </summary>
internal sealed partial class GrpcAuthInterceptor(ApiKeyAuthenticator authenticator, QuotaGate quotas, ILogger<GrpcAuthInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (Authorize(context) is not { } identity)
        {
            return await continuation(request, context);
        }

        CheckModel(identity, ModelOf(request), context);
        await AdmitAsync(identity, context);
        var response = await continuation(request, context);
        switch (response)
        {
            case RepositoryIndexResponse index:
                Filter(index.Models, m => identity.MayUse(m.Name));
                break;
            case ModelStatisticsResponse statistics:
                Filter(statistics.ModelStats, m => identity.MayUse(m.Name));
                break;
        }

        return response;
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (Authorize(context) is not { } identity)
        {
            await continuation(requestStream, responseStream, context);
            return;
        }

        // A stream counts once against requests per second, when it opens; its tokens count per generation.
        await AdmitAsync(identity, context);
        await continuation(new CheckedReader<TRequest>(requestStream, request => CheckModel(identity, ModelOf(request), context)), responseStream, context);
    }

    // RESOURCE_EXHAUSTED with the wait in the "retry-after" trailer, in seconds as REST's header.
    private async Task AdmitAsync(ApiKeyIdentity identity, ServerCallContext context)
    {
        var admitted = await quotas.AdmitAsync(identity, context.CancellationToken);
        if (!admitted.Allowed)
        {
            throw new RpcException(
                new Status(StatusCode.ResourceExhausted, QuotaGate.Refusal(identity.Name, QuotaNames.RequestsPerSecond, admitted.RetryAfter)),
                new Metadata { { "retry-after", QuotaGate.RetryAfterSeconds(admitted.RetryAfter) } });
        }
    }

    // The caller's identity, null for an open method; throws for a call that may not go on.
    private ApiKeyIdentity? Authorize(ServerCallContext context)
    {
        var scopes = ApiKeyRoutes.ForGrpc(context.Method);
        if (scopes.Count == 0)
        {
            return null;
        }

        var identity = authenticator.Authenticate(context.RequestHeaders.GetValue("authorization"), out var reason);
        if (identity is null)
        {
            LogUnauthenticated(logger, context.Method, reason);
            throw new RpcException(new Status(StatusCode.Unauthenticated, reason));
        }

        if (!scopes.Any(identity.HasScope))
        {
            var denied = $"the API key '{identity.Name}' lacks the scope this method needs ({string.Join(" or ", scopes)})";
            LogForbidden(logger, identity.Name, context.Method, denied);
            throw new RpcException(new Status(StatusCode.PermissionDenied, denied));
        }

        context.GetHttpContext().Features.Set(identity);
        return identity;
    }

    private void CheckModel(ApiKeyIdentity identity, string? model, ServerCallContext context)
    {
        if (!string.IsNullOrEmpty(model) && !identity.MayUse(model))
        {
            var denied = ApiKeyIdentity.ModelDenied(identity, model);
            LogForbidden(logger, identity.Name, context.Method, denied);
            throw new RpcException(new Status(StatusCode.PermissionDenied, denied));
        }
    }

    private static string? ModelOf(object? request) => request switch
    {
        ModelInferRequest r => r.ModelName,
        ModelMetadataRequest r => r.Name,
        ModelReadyRequest r => r.Name,
        ModelConfigRequest r => r.Name,
        ModelStatisticsRequest r => r.Name,
        RepositoryModelLoadRequest r => r.ModelName,
        RepositoryModelUnloadRequest r => r.ModelName,
        _ => null,
    };

    private static void Filter<T>(IList<T> items, Func<T, bool> keep)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (!keep(items[i]))
            {
                items.RemoveAt(i);
            }
        }
    }

    // A stream's requests are checked one by one as they arrive: a forbidden model ends the call with PERMISSION_DENIED.
    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner, Action<T> check) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
            {
                return false;
            }

            check(inner.Current);
            return true;
        }
    }

    [LoggerMessage(EventId = EventIds.GrpcUnauthenticated, EventName = nameof(EventIds.GrpcUnauthenticated), Level = LogLevel.Information, Message = "gRPC call {Method} refused: {Reason}")]
    private static partial void LogUnauthenticated(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = EventIds.GrpcForbidden, EventName = nameof(EventIds.GrpcForbidden), Level = LogLevel.Information, Message = "gRPC call {Method} of key {KeyName} refused: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string keyName, string method, string reason);
}
