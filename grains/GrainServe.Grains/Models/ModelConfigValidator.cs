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
                if (queue.MaxQueueSize < 0 || queue.DefaultTimeoutMicroseconds < 0)
                {
                    problems.Add("default_queue_policy sizes and timeouts must not be negative");
                }

                if (queue.TimeoutAction is { } action && action is not ("REJECT" or "DELAY"))
                {
                    problems.Add($"default_queue_policy.timeout_action '{action}' must be REJECT or DELAY");
                }
            }
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

        return problems;
    }
}
