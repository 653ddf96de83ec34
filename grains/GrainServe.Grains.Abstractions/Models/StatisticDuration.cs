namespace GrainServe.Models;

/// <summary>A count of events and their total duration, as Triton's statistics report them.</summary>
/// <param name="Count">How many events.</param>
/// <param name="Ns">Their total duration in nanoseconds.</param>
[GenerateSerializer, Immutable, Alias("GrainServe.StatisticDuration")]
public sealed record StatisticDuration([property: Id(0)] ulong Count, [property: Id(1)] ulong Ns)
{
    /// <summary>No events.</summary>
    public static StatisticDuration Zero { get; } = new(0, 0);

    /// <summary>The sum of two durations.</summary>
    public static StatisticDuration operator +(StatisticDuration a, StatisticDuration b) => new(a.Count + b.Count, a.Ns + b.Ns);
}
