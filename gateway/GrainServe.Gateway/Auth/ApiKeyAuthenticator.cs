using Microsoft.Extensions.Primitives;

namespace GrainServe.Gateway.Auth;

/// <summary>Reads <c>Authorization: Bearer &lt;key&gt;</c> (an HTTP header, or gRPC's <c>authorization</c> metadata) against the keys in force.</summary>
internal sealed class ApiKeyAuthenticator(ApiKeyStore store)
{
    private const string Bearer = "Bearer ";

    /// <summary>The key's identity, or null with why (no key, or one not known); the reason never holds the key.</summary>
    public ApiKeyIdentity? Authenticate(string? authorization, out string reason)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            reason = "no API key: send Authorization: Bearer <key>";
            return null;
        }

        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || authorization.Length == Bearer.Length)
        {
            reason = "the Authorization header is not Bearer <key>";
            return null;
        }

        var identity = store.Current.Find(authorization[Bearer.Length..].Trim())?.Identity;
        reason = identity is null ? "the API key is not known" : "";
        return identity;
    }

    public ApiKeyIdentity? Authenticate(StringValues authorization, out string reason) =>
        Authenticate(authorization.Count == 1 ? authorization[0] : null, out reason);

    /// <summary>Finds a presented key itself, for the sign-in form.</summary>
    public ApiKey? Find(string key) => store.Current.Find(key.Trim());
}
