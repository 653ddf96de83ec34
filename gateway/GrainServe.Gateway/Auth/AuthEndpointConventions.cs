namespace GrainServe.Gateway.Auth;

/// <summary>Puts a route group (or a single endpoint) behind the API keys; a no-op for requests while auth is off.</summary>
internal static class AuthEndpointConventions
{
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, ApiKeyRequirement requirement)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(requirement);
}
