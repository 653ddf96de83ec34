using System.Globalization;
using GrainServe.Models;

namespace GrainServe.Batching;

/// <summary>
/// The batch queue settings of one model version, taken from its effective configuration.
/// </summary>
/// <param name="MaxBatchSize">The most rows one run takes; 0 when the model has no batch dimension.</param>
/// <param name="Dynamic">True when <c>dynamic_batching</c> is configured; otherwise each request runs alone.</param>
/// <param name="PreferredBatchSizes">Row counts to send as soon as they are reached.</param>
/// <param name="MaxQueueDelay">The longest the oldest request waits for others to join.</param>
/// <param name="MaxQueueSize">The most requests waiting per priority level, under the default queue policy; 0 for no limit.</param>
/// <param name="QueueTimeout">How long a request may wait before <paramref name="TimeoutAction"/> applies, under the default queue policy; zero for never.</param>
/// <param name="TimeoutAction">Reject or keep a request past its timeout, under the default queue policy.</param>
public sealed record BatchingSettings(
    int MaxBatchSize,
    bool Dynamic,
    IReadOnlyList<int> PreferredBatchSizes,
    TimeSpan MaxQueueDelay,
    int MaxQueueSize,
    TimeSpan QueueTimeout,
    QueueTimeoutAction TimeoutAction)
{
    /// <summary>Settings that run every request alone, at once.</summary>
    public static BatchingSettings Off { get; } = new(0, false, [], TimeSpan.Zero, 0, TimeSpan.Zero, QueueTimeoutAction.Reject);

    /// <summary>How many priority levels requests may ask for, 1 the highest; 0 (the default) for one level.</summary>
    public int PriorityLevels { get; init; }

    /// <summary>The level of a request that asks for none, 1 to <see cref="LevelCount"/>. Default 1.</summary>
    public int DefaultPriorityLevel { get; init; } = 1;

    /// <summary>Whether, under the default queue policy, a request's <c>timeout</c> parameter may shorten <see cref="QueueTimeout"/>. Default false.</summary>
    public bool AllowTimeoutOverride { get; init; }

    /// <summary>Queue policies of single levels; a level not named here takes the default policy. Default none.</summary>
    public IReadOnlyDictionary<int, QueuePolicy> LevelPolicies { get; init; } = new Dictionary<int, QueuePolicy>();

    /// <summary>The number of levels there are: <see cref="PriorityLevels"/>, or 1 when there are none configured.</summary>
    public int LevelCount => Math.Max(1, PriorityLevels);

    /// <summary>The policy of requests at <paramref name="level"/>.</summary>
    public QueuePolicy PolicyOf(int level) =>
        LevelPolicies.TryGetValue(level, out var policy) ? policy : new QueuePolicy(MaxQueueSize, QueueTimeout, TimeoutAction, AllowTimeoutOverride);

    /// <summary>Reads the settings from an effective configuration (already validated: levels and their keys are in range).</summary>
    public static BatchingSettings FromConfig(ModelConfig config)
    {
        var batching = config.DynamicBatching;
        var queue = QueuePolicy.FromConfig(batching?.DefaultQueuePolicy);
        var levels = (int)Math.Clamp(batching?.PriorityLevels ?? 0, 0, ModelConfigValidator.MaxPriorityLevels);
        var policies = new Dictionary<int, QueuePolicy>();
        foreach (var (key, policy) in batching?.PriorityQueuePolicy ?? [])
        {
            if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var level))
            {
                policies[level] = QueuePolicy.FromConfig(policy);
            }
        }

        return new BatchingSettings(
            config.MaxBatchSize ?? 0,
            batching is not null && config.MaxBatchSize > 0,
            batching?.PreferredBatchSize.Order().ToArray() ?? [],
            TimeSpan.FromMicroseconds(batching?.MaxQueueDelayMicroseconds ?? 0),
            queue.MaxQueueSize,
            queue.Timeout,
            queue.TimeoutAction)
        {
            PriorityLevels = levels,
            DefaultPriorityLevel = levels > 0 && batching!.DefaultPriorityLevel is > 0 and var chosen && chosen <= levels ? (int)chosen : 1,
            AllowTimeoutOverride = queue.AllowTimeoutOverride,
            LevelPolicies = policies,
        };
    }
}
