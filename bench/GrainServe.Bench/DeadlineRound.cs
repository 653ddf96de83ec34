namespace GrainServe.Bench;

/// <summary>One round of the deadline scenario: what the instance served in calibration, the rate offered, and the two deadlines.</summary>
internal sealed record DeadlineRound(double Capacity, double OfferedRate, TimeSpan Tight, TimeSpan Loose);
