using GrainServe.Errors;
using Grpc.Core;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// Who a request is, once its API key is checked: the key's name, scopes and models, never the key. The gateway puts it
/// on the request's features (REST and gRPC alike), where anything later in the pipeline (quotas, say) finds it with
/// <see cref="Of(HttpContext)"/>. Absent while auth is off.
/// </summary>
public sealed class ApiKeyIdentity
{
    private readonly string[] _models;

    /// <summary>Creates the identity of a key.</summary>
    public ApiKeyIdentity(string name, IEnumerable<string> scopes, IEnumerable<string> models, ApiKeyQuotaOptions? quota = null)
    {
        Name = name;
        Quota = quota;
        Scopes = new HashSet<string>(scopes, StringComparer.Ordinal);
        _models = [.. models];
    }

    /// <summary>The key's name.</summary>
    public string Name { get; }

    /// <summary>The key's scopes, as configured (<see cref="ApiKeyScopes.Admin"/> holds every other).</summary>
    public IReadOnlySet<string> Scopes { get; }

    /// <summary>The key's quotas; null for none.</summary>
    public ApiKeyQuotaOptions? Quota { get; }

    /// <summary>The key's model names and globs.</summary>
    public IReadOnlyList<string> Models => _models;

    /// <summary>True when the key holds <paramref name="scope"/>, itself or through admin.</summary>
    public bool HasScope(string scope) => Scopes.Contains(scope) || Scopes.Contains(ApiKeyScopes.Admin);

    /// <summary>True when one of the key's names or globs matches <paramref name="model"/>.</summary>
    public bool MayUse(string model) => Array.Exists(_models, pattern => ModelGlob.Matches(pattern, model));

    /// <summary>The identity of a REST request, or null (auth off, or an open route such as health).</summary>
    public static ApiKeyIdentity? Of(HttpContext context) => context.Features.Get<ApiKeyIdentity>();

    /// <summary>The identity of a gRPC call, or null.</summary>
    public static ApiKeyIdentity? Of(ServerCallContext context) => Of(context.GetHttpContext());

    /// <summary>Whether the request may see <paramref name="model"/> (always, while auth is off): for filtering model lists.</summary>
    public static bool Allows(HttpContext context, string model) => Of(context)?.MayUse(model) ?? true;

    /// <summary>
    /// Throws PermissionDenied (403) unless the request's key covers <paramref name="model"/>: for routes that read the model
    /// from their body, before they do any work for it.
    /// </summary>
    public static void Demand(HttpContext context, string model)
    {
        if (Of(context) is { } identity && !identity.MayUse(model))
        {
            throw new InferenceException(InferenceErrorCode.PermissionDenied, ModelDenied(identity, model));
        }
    }

    internal static string ModelDenied(ApiKeyIdentity identity, string model) => $"the API key '{identity.Name}' may not use the model '{model}'";
}
