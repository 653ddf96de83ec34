namespace GrainServe.Bench;

/// <summary>
/// One round of one request kind: the request that found the model at zero instances (a cold start) and the one sent
/// right after it (warm), each from send to complete answer (to the first token for a stream), and whether both
/// answered 200.
/// </summary>
internal sealed record ColdStartMeasurement(string Model, string Request, int Round, double ColdMs, double WarmMs, long ModelBytes, bool Answered);
