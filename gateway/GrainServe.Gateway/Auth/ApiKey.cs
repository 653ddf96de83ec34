namespace GrainServe.Gateway.Auth;

/// <summary>A key in force: who it is, and the SHA-256 of its bytes that a presented key must hash to.</summary>
internal sealed record ApiKey(ApiKeyIdentity Identity, byte[] Hash);
