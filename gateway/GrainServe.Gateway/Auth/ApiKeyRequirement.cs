namespace GrainServe.Gateway.Auth;

/// <summary>
/// Endpoint metadata that puts routes behind a key (see <see cref="AuthEndpointConventions.RequireApiKey{TBuilder}"/>).
/// A route without it (health, sign-in, gRPC, which <see cref="GrpcAuthInterceptor"/> guards) is open.
/// </summary>
internal sealed class ApiKeyRequirement
{
    public static ApiKeyRequirement V2 { get; } = new(ApiKeyErrorStyle.V2, scope: null);

    public static ApiKeyRequirement OpenAi { get; } = new(ApiKeyErrorStyle.OpenAi, scope: null);

    public static ApiKeyRequirement MetricsPort { get; } = new(ApiKeyErrorStyle.MetricsPort, ApiKeyScopes.Metrics);

    private ApiKeyRequirement(ApiKeyErrorStyle style, string? scope)
    {
        Style = style;
        Scope = scope;
    }

    public ApiKeyErrorStyle Style { get; }

    /// <summary>The one scope every route of it needs, or null to look each route up in <see cref="ApiKeyRoutes"/>.</summary>
    public string? Scope { get; }

    /// <summary>Whether a sign-in cookie stands for the key: on the metrics port only, so the API's routes take bearer keys alone.</summary>
    public bool AcceptsSession => Style == ApiKeyErrorStyle.MetricsPort;
}
