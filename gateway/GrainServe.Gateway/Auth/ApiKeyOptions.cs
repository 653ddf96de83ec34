namespace GrainServe.Gateway.Auth;

/// <summary>One API key, as the keys file and configuration give it: never the key itself, only its hash.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key's name, unique: what logs, sessions, quotas and metrics name it by. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The SHA-256 of the key's UTF-8 bytes, 64 hex digits (either case): <c>printf %s "$KEY" | sha256sum</c>. Required.
    /// </summary>
    public string Sha256 { get; set; } = "";

    /// <summary>What the key may do, from <see cref="ApiKeyScopes"/>. At least one is required.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>
    /// The models the key may use: names, or globs where <c>*</c> stands for any run of characters and <c>?</c> for one
    /// (<c>llama-*</c>); <c>*</c> alone for every model. At least one is required; scopes that name no model
    /// (<c>metrics</c>) ignore it.
    /// </summary>
    public List<string> Models { get; set; } = [];

    /// <summary>The key's quotas, enforced across the cluster; absent (the default) for none.</summary>
    public ApiKeyQuotaOptions? Quota { get; set; }
}
