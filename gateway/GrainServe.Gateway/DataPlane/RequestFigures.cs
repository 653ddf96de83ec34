namespace GrainServe.Gateway.DataPlane;

/// <summary>
/// What one gateway saw of a model (or one version) over the last <see cref="RequestWindow.Length"/>: requests, those
/// answered with an error, their rate, and the median and 99th percentile of their end-to-end durations.
/// </summary>
/// <param name="Requests">Requests answered in the window.</param>
/// <param name="Errors">Of those, the ones answered with an error (the client's own bad input included).</param>
/// <param name="RequestsPerSecond">Requests over the window's length, or over the time since the first request when that is shorter.</param>
/// <param name="P50Milliseconds">The median duration, in milliseconds; null without requests.</param>
/// <param name="P99Milliseconds">The 99th percentile duration, in milliseconds; null without requests.</param>
internal readonly record struct RequestFigures(long Requests, long Errors, double RequestsPerSecond, double? P50Milliseconds, double? P99Milliseconds);
