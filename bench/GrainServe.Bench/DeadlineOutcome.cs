using System.Net;

namespace GrainServe.Bench;

/// <summary>One request of the deadline scenario: its class, status (0 when its client gave up), latency, and whether a 200 came in time.</summary>
internal sealed record DeadlineOutcome(bool Tight, HttpStatusCode Status, TimeSpan Latency, bool InTime, bool GaveUp);
