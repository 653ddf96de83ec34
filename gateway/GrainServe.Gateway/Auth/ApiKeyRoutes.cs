namespace GrainServe.Gateway.Auth;

/// <summary>
/// Which scopes each protocol route needs: one table for REST and one for gRPC, so the whole policy reads in one place.
/// A key needs one of a route's scopes (admin holds them all). A route missing from the table needs admin, so a new
/// route is closed until it is given a scope here (a test lists every mapped route against this table). Routes with a
/// <c>{model}</c> also need the key to cover that model; OpenAI's routes check the body's <c>model</c> where they read it.
/// </summary>
internal static class ApiKeyRoutes
{
    private static readonly string[] Infer = [ApiKeyScopes.Infer];
    private static readonly string[] Repository = [ApiKeyScopes.Repository];
    private static readonly string[] Metrics = [ApiKeyScopes.Metrics];
    private static readonly string[] Listing = [ApiKeyScopes.Infer, ApiKeyScopes.Repository];
    private static readonly string[] Admin = [ApiKeyScopes.Admin];

    private static readonly Dictionary<string, string[]> Rest = new(StringComparer.Ordinal)
    {
        ["GET /v2"] = Infer,
        ["GET /v2/models/{model}"] = Infer,
        ["GET /v2/models/{model}/versions/{version}"] = Infer,
        ["GET /v2/models/{model}/ready"] = Infer,
        ["GET /v2/models/{model}/versions/{version}/ready"] = Infer,
        ["POST /v2/models/{model}/infer"] = Infer,
        ["POST /v2/models/{model}/versions/{version}/infer"] = Infer,
        ["POST /v2/models/{model}/generate"] = Infer,
        ["POST /v2/models/{model}/versions/{version}/generate"] = Infer,
        ["POST /v2/models/{model}/generate_stream"] = Infer,
        ["POST /v2/models/{model}/versions/{version}/generate_stream"] = Infer,
        ["GET /v2/models/{model}/config"] = Infer,
        ["GET /v2/models/{model}/versions/{version}/config"] = Infer,
        ["GET /v2/models/{model}/traffic"] = Infer,
        ["PUT /v2/models/{model}/traffic"] = Repository,
        ["POST /v2/repository/index"] = Listing,
        ["POST /v2/repository/models/{model}/load"] = Repository,
        ["POST /v2/repository/models/{model}/unload"] = Repository,
        ["GET /v2/models/stats"] = Metrics,
        ["GET /v2/models/{model}/stats"] = Metrics,
        ["GET /v2/models/{model}/versions/{version}/stats"] = Metrics,
        ["GET /v2/cluster/devices"] = Metrics,
        ["GET /v2/models/{model}/instances"] = Metrics,
        ["GET /v2/models/{model}/versions/{version}/instances"] = Metrics,
        ["POST /v1/embeddings"] = Infer,
        ["POST /v1/completions"] = Infer,
        ["POST /v1/chat/completions"] = Infer,
        ["POST /v1/audio/transcriptions"] = Infer,
        ["POST /v1/audio/translations"] = Infer,
        ["POST /v1/audio/voices"] = Infer,
        ["GET /v1/audio/voices"] = Infer,
        ["DELETE /v1/audio/voices/{name}"] = Infer,
        ["POST /v1/audio/speech"] = Infer,
        ["GET /v1/models"] = Infer,
        ["GET /v1/models/{id}"] = Infer,
    };

    // inference.GRPCInferenceService's methods; ServerLive and ServerReady are the probes, open to all.
    private static readonly Dictionary<string, string[]> Grpc = new(StringComparer.Ordinal)
    {
        ["ServerLive"] = [],
        ["ServerReady"] = [],
        ["ServerMetadata"] = Infer,
        ["ModelReady"] = Infer,
        ["ModelMetadata"] = Infer,
        ["ModelInfer"] = Infer,
        ["ModelStreamInfer"] = Infer,
        ["ModelConfig"] = Infer,
        ["ModelStatistics"] = Metrics,
        ["RepositoryIndex"] = Listing,
        ["RepositoryModelLoad"] = Repository,
        ["RepositoryModelUnload"] = Repository,
    };

    /// <summary>The key of a REST endpoint in the table: its method and route pattern, such as <c>GET /v2/models/{model}</c>.</summary>
    public static string KeyOf(Endpoint endpoint)
    {
        var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "*";
        var pattern = endpoint is RouteEndpoint route ? route.RoutePattern.RawText ?? "" : "";
        return $"{method} {pattern.TrimEnd('/')}";
    }

    /// <summary>The scopes a REST endpoint needs, any one of them.</summary>
    public static IReadOnlyList<string> ForRest(Endpoint endpoint) => Rest.GetValueOrDefault(KeyOf(endpoint), Admin);

    /// <summary>Whether the table names <paramref name="endpoint"/> (the test of new routes asks).</summary>
    public static bool Covers(Endpoint endpoint) => Rest.ContainsKey(KeyOf(endpoint));

    /// <summary>The scopes a gRPC method (<c>/inference.GRPCInferenceService/ModelInfer</c>) needs; none for the probes.</summary>
    public static IReadOnlyList<string> ForGrpc(string method) => Grpc.GetValueOrDefault(method[(method.LastIndexOf('/') + 1)..], Admin);

    /// <summary>Whether the gRPC table names <paramref name="method"/>, the method's bare name.</summary>
    public static bool CoversGrpc(string method) => Grpc.ContainsKey(method);
}
