using System.Globalization;

namespace GrainServe.Models;

/// <summary>
/// Checks a model configuration as written, before the ONNX file is opened, and lists every problem.
/// </summary>
public static class ModelConfigValidator
{
    /// <summary>The platform name GrainServe serves.</summary>
    public const string OnnxPlatform = "onnxruntime_onnx";

    /// <summary>Triton's backend name for the same runtime.</summary>
    public const string OnnxBackend = "onnxruntime";

    /// <summary>The longest <c>traffic.auto_rollback.window_s</c>, in seconds: the window is kept as one-second slots.</summary>
    public const int MaxWindowS = 3600;

    /// <summary>
    /// The longest <c>autoscaling.cold_start_timeout_s</c>, in seconds: a request is held that long at most, within the
    /// response timeout of the call that holds it.
    /// </summary>
    public const int MaxColdStartTimeoutS = 600;

    /// <summary>
    /// The most <c>dynamic_batching.priority_levels</c>: each level has its own queue counters, and no scheduler needs more
    /// levels than this to tell its classes of requests apart.
    /// </summary>
    public const int MaxPriorityLevels = 1000;

    /// <summary>Every problem found, each a sentence that says how to fix it; empty when the config is usable.</summary>
    public static List<string> Validate(string folderName, ModelConfig config)
    {
        var problems = new List<string>();
        if (config.Name is { } name && name != folderName)
        {
            problems.Add($"config name '{name}' differs from the model's folder name '{folderName}'");
        }

        if (config.Platform is { } platform && platform != OnnxPlatform)
        {
            problems.Add($"platform '{platform}' is not supported; use '{OnnxPlatform}'");
        }

        if (config.Backend is { } backend && backend != OnnxBackend)
        {
            problems.Add($"backend '{backend}' is not supported; use '{OnnxBackend}'");
        }

        if (config.MaxBatchSize < 0)
        {
            problems.Add($"max_batch_size is {config.MaxBatchSize}; it must be 0 (no batching) or more");
        }

        foreach (var (kind, tensors) in new[] { ("input", config.Input), ("output", config.Output) })
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tensor in tensors)
            {
                if (string.IsNullOrEmpty(tensor.Name))
                {
                    problems.Add($"an {kind} has no name");
                    continue;
                }

                if (!seen.Add(tensor.Name))
                {
                    problems.Add($"{kind} '{tensor.Name}' is listed twice");
                }

                if (tensor.DataType.Length > 0 && TritonDatatype.ToProtocol(tensor.DataType) is null)
                {
                    problems.Add($"{kind} '{tensor.Name}' has unknown data_type '{tensor.DataType}'; use TYPE_FP32, TYPE_INT64, TYPE_STRING and the like");
                }

                if (tensor.Dims.Any(d => d < -1 || d == 0))
                {
                    problems.Add($"{kind} '{tensor.Name}' has dims [{string.Join(',', tensor.Dims)}]; each must be positive or -1");
                }
            }
        }

        if (config.DynamicBatching is { } batching)
        {
            if (batching.MaxQueueDelayMicroseconds < 0)
            {
                problems.Add("dynamic_batching.max_queue_delay_microseconds must not be negative");
            }

            foreach (var size in batching.PreferredBatchSize)
            {
                if (size < 1 || (config.MaxBatchSize is > 0 and var max && size > max))
                {
                    problems.Add($"preferred_batch_size {size} must be between 1 and max_batch_size ({config.MaxBatchSize})");
                }
            }

            if (batching.DefaultQueuePolicy is { } queue)
            {
                ValidateQueuePolicy("default_queue_policy", queue, problems);
            }

            ValidatePriorities(batching, problems);
        }

        foreach (var group in config.InstanceGroup)
        {
            if (group.Count < 1)
            {
                problems.Add($"instance_group count {group.Count} must be at least 1");
            }

            if (group.Kind is { } kind && kind is not ("KIND_AUTO" or "KIND_GPU" or "KIND_CPU"))
            {
                problems.Add($"instance_group kind '{kind}' must be KIND_AUTO, KIND_GPU or KIND_CPU");
            }
        }

        if (config.Traffic is { } traffic)
        {
            ValidateTraffic(traffic, problems);
        }

        if (config.Autoscaling is { } autoscaling)
        {
            ValidateAutoscaling(autoscaling, problems);
        }

        ModelWarmupValidator.Validate(config, problems);
        return problems;
    }

    /// <summary>Whether <paramref name="version"/> names a version folder: a positive integer in plain digits.</summary>
    public static bool IsVersionName(string? version) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0;

    private static void ValidateQueuePolicy(string name, QueuePolicyConfig queue, List<string> problems)
    {
        if (queue.MaxQueueSize < 0 || queue.DefaultTimeoutMicroseconds < 0)
        {
            problems.Add($"{name} sizes and timeouts must not be negative");
        }

        if (queue.TimeoutAction is { } action && action is not ("REJECT" or "DELAY"))
        {
            problems.Add($"{name}.timeout_action '{action}' must be REJECT or DELAY");
        }
    }

    // Triton's rules (model_config_utils.cc, ValidateModelConfig): levels count from 1, the default is one of them, and
    // a level's own policy names one of them.
    private static void ValidatePriorities(DynamicBatchingConfig batching, List<string> problems)
    {
        var levels = batching.PriorityLevels;
        if (levels is < 0 or > MaxPriorityLevels)
        {
            problems.Add($"dynamic_batching.priority_levels is {levels}; it must be from 0 (one level) to {MaxPriorityLevels}");
            return;
        }

        if (levels == 0)
        {
            if (batching.DefaultPriorityLevel != 0)
            {
                problems.Add($"dynamic_batching.default_priority_level is {batching.DefaultPriorityLevel} but priority_levels is not set; set priority_levels (levels 1 to N, 1 the highest) or leave default_priority_level out");
            }

            if (batching.PriorityQueuePolicy is { Count: > 0 })
            {
                problems.Add("dynamic_batching.priority_queue_policy names levels but priority_levels is not set; set priority_levels (levels 1 to N, 1 the highest)");
            }

            return;
        }

        if (batching.DefaultPriorityLevel < 1 || batching.DefaultPriorityLevel > levels)
        {
            problems.Add($"dynamic_batching.default_priority_level is {batching.DefaultPriorityLevel}; with priority_levels {levels} it must be from 1 (the highest) to {levels}: the level of requests that ask for none");
        }

        foreach (var (key, policy) in batching.PriorityQueuePolicy ?? [])
        {
            if (!long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level < 1 || level > levels)
            {
                problems.Add($"dynamic_batching.priority_queue_policy names level '{key}'; levels are 1 (the highest) to priority_levels ({levels})");
                continue;
            }

            ValidateQueuePolicy($"priority_queue_policy[{key}]", policy, problems);
        }
    }

    // Comparisons are written so that NaN fails them too ("!(x >= 0)"), since JSON cannot carry NaN but a config
    // built in code can.
    private static void ValidateTraffic(TrafficConfig traffic, List<string> problems)
    {
        if (traffic.Weights is { } weights)
        {
            if (weights.Count == 0)
            {
                problems.Add("traffic.weights is empty; give at least one version a weight, or leave weights out to send everything to the newest version");
            }
            else if (weights.Values.All(w => w == 0))
            {
                problems.Add("traffic.weights are all 0; give at least one version a positive weight");
            }

            foreach (var (version, weight) in weights)
            {
                if (!IsVersionName(version))
                {
                    problems.Add($"traffic.weights names version '{version}'; versions are their folders' numbers, such as \"2\"");
                }

                if (weight < 0)
                {
                    problems.Add($"traffic.weights gives version '{version}' weight {weight}; a weight must be 0 (no traffic) or more");
                }
            }
        }

        if (traffic.StickyHeader is { } header && (header.Length == 0 || header.Any(c => c <= ' ' || c >= 127 || c == ':')))
        {
            problems.Add($"traffic.sticky_header '{header}' is not a header name; use one such as \"x-user-id\", or leave it out");
        }

        if (traffic.Mirror is { } mirror)
        {
            if (!IsVersionName(mirror.Version))
            {
                problems.Add($"traffic.mirror.version '{mirror.Version}' is not a version; name the version folder that receives the copies, such as \"2\"");
            }

            if (!(mirror.Percent >= 0 && mirror.Percent <= 100))
            {
                problems.Add($"traffic.mirror.percent is {mirror.Percent}; it must be between 0 and 100");
            }
        }

        if (traffic.AutoRollback is { } rollback)
        {
            ValidateAutoRollback(rollback, traffic.Weights, problems);
        }

        if (traffic.Step is { } step)
        {
            ValidateStep(step, traffic, problems);
        }
    }

    private static void ValidateAutoRollback(AutoRollbackConfig rollback, Dictionary<string, int>? weights, List<string> problems)
    {
        if (string.IsNullOrEmpty(rollback.Baseline))
        {
            problems.Add("traffic.auto_rollback.baseline is missing; name the version canaries are compared with");
        }
        else if (weights is null || !weights.ContainsKey(rollback.Baseline))
        {
            problems.Add($"traffic.auto_rollback.baseline '{rollback.Baseline}' is not in traffic.weights; the baseline must be one of the weighted versions");
        }

        if (!(rollback.MaxErrorRateIncrease >= 0 && rollback.MaxErrorRateIncrease <= 1))
        {
            problems.Add($"traffic.auto_rollback.max_error_rate_increase is {rollback.MaxErrorRateIncrease}; it is a difference of error rates, between 0 and 1 (0.02 is two percentage points)");
        }

        if (!(rollback.MaxP99Ratio > 0))
        {
            problems.Add($"traffic.auto_rollback.max_p99_ratio is {rollback.MaxP99Ratio}; it must be more than 0 (1.5 lets the canary's p99 be 50% above the baseline's)");
        }

        if (rollback.MinRequests < 1)
        {
            problems.Add($"traffic.auto_rollback.min_requests is {rollback.MinRequests}; it must be at least 1");
        }

        if (!(rollback.WindowS >= 1 && rollback.WindowS <= MaxWindowS))
        {
            problems.Add($"traffic.auto_rollback.window_s is {rollback.WindowS}; it must be between 1 and {MaxWindowS} seconds");
        }
    }

    private static void ValidateStep(PromotionStepConfig step, TrafficConfig traffic, List<string> problems)
    {
        if (step.Weight is < 1 or > 100)
        {
            problems.Add($"traffic.step.weight is {step.Weight}; it must be between 1 and 100 percentage points");
        }

        if (!(step.EveryS > 0))
        {
            problems.Add($"traffic.step.every_s is {step.EveryS}; it must be more than 0 seconds");
        }

        if (traffic.AutoRollback is null)
        {
            problems.Add("traffic.step needs traffic.auto_rollback: a step is taken only while the canary is healthy against its baseline");
        }

        if (traffic.Weights is not { Count: 2 } weights || weights.Values.Sum(w => (long)w) != 100)
        {
            problems.Add("traffic.step moves weight from the baseline to one canary: traffic.weights must name exactly two versions, the baseline and the canary, with weights that sum to 100");
        }
    }

    private static void ValidateAutoscaling(AutoscalingConfig autoscaling, List<string> problems)
    {
        if (autoscaling.MinInstances < 0)
        {
            problems.Add($"autoscaling.min_instances is {autoscaling.MinInstances}; it must be 0 (scale to zero) or more");
        }

        if (autoscaling.MaxInstances < 1)
        {
            problems.Add($"autoscaling.max_instances is {autoscaling.MaxInstances}; it must be at least 1");
        }
        else if (autoscaling.MinInstances > autoscaling.MaxInstances)
        {
            problems.Add($"autoscaling.min_instances ({autoscaling.MinInstances}) is above max_instances ({autoscaling.MaxInstances})");
        }

        if (!(autoscaling.TargetOngoingRequests > 0))
        {
            problems.Add($"autoscaling.target_ongoing_requests is {autoscaling.TargetOngoingRequests}; it must be more than 0 (requests in flight per instance)");
        }

        foreach (var (name, seconds) in new[]
        {
            ("upscale_delay_s", autoscaling.UpscaleDelayS),
            ("downscale_delay_s", autoscaling.DownscaleDelayS),
            ("scale_to_zero_delay_s", autoscaling.ScaleToZeroDelayS),
        })
        {
            if (!(seconds >= 0))
            {
                problems.Add($"autoscaling.{name} is {seconds}; a delay must be 0 seconds or more");
            }
        }

        if (!(autoscaling.ColdStartTimeoutS > 0))
        {
            problems.Add($"autoscaling.cold_start_timeout_s is {autoscaling.ColdStartTimeoutS}; it must be more than 0 seconds");
        }
        else if (autoscaling.ColdStartTimeoutS > MaxColdStartTimeoutS)
        {
            // The gateway's call that holds the request (IModelGrain.Recover) times out a little after this.
            problems.Add($"autoscaling.cold_start_timeout_s is {autoscaling.ColdStartTimeoutS}; it must be at most {MaxColdStartTimeoutS} seconds (a request held longer is better failed and retried)");
        }
    }
}
