namespace GrainServe.Bench;

/// <summary>One look at the server process: when, its resident and private memory in bytes, its open handles and its threads.</summary>
internal sealed record ProcessSample(TimeSpan At, long ResidentBytes, long PrivateBytes, int Handles, int Threads);
