namespace GrainServe.Gateway.Auth;

/// <summary>
/// API keys on the gateway's REST, gRPC and metrics ports. Off by default (the embedded default serves anyone who can
/// reach its loopback ports); turn on with <c>Auth:Enabled=true</c> and at least one key, from <see cref="KeysFile"/>,
/// from <see cref="Keys"/> (configuration, such as <c>Auth__Keys__0__Sha256</c> environment variables), or both.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Auth";

    /// <summary>Whether requests need an API key. Default false; every other setting is ignored while false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// A JSON file of keys, <c>{"keys": [{"name", "sha256", "scopes", "models"}]}</c> (see <see cref="ApiKeyOptions"/>), read
    /// at start (a bad file stops the start) and again whenever its content changes, without a restart (a file that turns
    /// bad keeps the keys read last). In Kubernetes, a Secret mounted as a volume. Default none.
    /// </summary>
    public string? KeysFile { get; set; }

    /// <summary>Keys from configuration, in force beside the file's; read once, at start. Default none.</summary>
    public List<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>How often <see cref="KeysFile"/> is checked for a change. Default 2 s; ignored without a file.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a metrics-port browser session lasts after its sign-in, before the key must be given again. A session
    /// also ends as soon as its key leaves the keys. Default 8 hours.
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The share of a key's quota bucket a gateway leases at once (see <see cref="ApiKeyQuotaOptions"/>), in (0, 1]: larger
    /// means fewer calls to the quota grain, smaller a fairer split between gateways. Default 0.1; ignored for keys without
    /// a quota.
    /// </summary>
    public double QuotaLeaseFraction { get; set; } = 0.1;

    /// <summary>
    /// How long a gateway may spend a lease; then its unspent tokens go back to the cluster's bucket. Default 1 s; ignored
    /// for keys without a quota.
    /// </summary>
    public TimeSpan QuotaLeaseLifetime { get; set; } = TimeSpan.FromSeconds(1);
}
