namespace GrainServe.Bench;

/// <summary>A server process that exited before it answered ready (a port taken before it bound, a crash at start).</summary>
internal sealed class ServerExitedException(string message) : InvalidOperationException(message);
