namespace GrainServe.Gateway.Auth;

/// <summary>The scopes a key may hold. Which routes each one opens is in <see cref="ApiKeyRoutes"/>.</summary>
public static class ApiKeyScopes
{
    /// <summary>Inference and reading: metadata, readiness, config, infer, generate, OpenAI's routes, the model lists.</summary>
    public const string Infer = "infer";

    /// <summary>Changing what is served: repository load and unload, <c>PUT /v2/models/{m}/traffic</c>; and the repository index.</summary>
    public const string Repository = "repository";

    /// <summary>Watching: the metrics port (<c>/metrics</c>, the operator page, the Orleans dashboard), statistics, devices, instances.</summary>
    public const string Metrics = "metrics";

    /// <summary>Every scope above.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, for checking a key's list.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Infer, Repository, Metrics, Admin };
}
