using System.Globalization;

namespace GrainServe.Batching;

/// <summary>
/// Reads Triton's scheduling parameters of a request, <c>priority</c> and <c>timeout</c>, against its model's batching
/// settings: the level it waits at and how long it may wait. Pure, so both protocols and every test read them alike.
/// </summary>
public static class QueueParameters
{
    /// <summary>The request's priority level: 1 is the highest, 0 (or none) the model's <c>default_priority_level</c>.</summary>
    public const string Priority = "priority";

    /// <summary>The request's queue timeout in microseconds, which only shortens a default one its policy allows to be overridden.</summary>
    public const string Timeout = "timeout";

    /// <summary>
    /// The level (1 to <see cref="BatchingSettings.LevelCount"/>) and queue timeout (zero for none) of a request with
    /// <paramref name="parameters"/>, or a sentence that says what is wrong with them. A priority above the model's levels
    /// is refused rather than quietly served at the default level, so that a client learns its levels are not the model's.
    /// </summary>
    public static (int Level, TimeSpan Timeout, string? Error) Read(IReadOnlyDictionary<string, string>? parameters, BatchingSettings settings, string modelName)
    {
        var level = settings.DefaultPriorityLevel;
        if (parameters is not null && parameters.TryGetValue(Priority, out var priorityText))
        {
            if (!ulong.TryParse(priorityText, NumberStyles.None, CultureInfo.InvariantCulture, out var priority))
            {
                return (0, TimeSpan.Zero, $"parameter \"priority\" is '{priorityText}'; it must be a whole number: a priority level from 1 (the highest) to {settings.LevelCount}, or 0 for the default level");
            }

            if (priority > (ulong)settings.LevelCount)
            {
                return (0, TimeSpan.Zero, settings.PriorityLevels == 0
                    ? $"priority {priority} is out of range: model '{modelName}' has one priority level (its dynamic_batching sets no priority_levels); send 0 or 1, or leave \"priority\" out"
                    : $"priority {priority} is out of range: model '{modelName}' has priority levels 1 (the highest) to {settings.LevelCount}; send 0 or leave \"priority\" out for its default level {settings.DefaultPriorityLevel}");
            }

            level = priority == 0 ? settings.DefaultPriorityLevel : (int)priority;
        }

        var policy = settings.PolicyOf(level);
        var timeout = policy.Timeout;
        if (parameters is not null && parameters.TryGetValue(Timeout, out var timeoutText))
        {
            if (!ulong.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds))
            {
                return (0, TimeSpan.Zero, $"parameter \"timeout\" is '{timeoutText}'; it must be a whole number of microseconds (Triton's queue timeout), 0 or more");
            }

            // Triton's rule (PriorityQueue::PolicyQueue::Enqueue): an override only ever shortens a default timeout.
            var requested = TimeSpan.FromTicks((long)Math.Min(microseconds, (ulong)(TimeSpan.MaxValue.Ticks / 10)) * 10);
            if (policy.AllowTimeoutOverride && requested > TimeSpan.Zero && requested < timeout)
            {
                timeout = requested;
            }
        }

        return (level, timeout, null);
    }
}
