namespace GrainServe.Kubernetes;

/// <summary>
/// The metric names GrainServe exports and the monitoring in k8s/monitoring may read: Triton's names for inference,
/// GPU and CPU series, GrainServe's own device series, and vLLM's for generation models (see the README). A PromQL
/// expression naming anything else reads a series that does not exist, which Prometheus answers with silence.
/// </summary>
internal static class FleetMetrics
{
    /// <summary>Counters and gauges, by their exported names.</summary>
    public static readonly IReadOnlySet<string> Series = new HashSet<string>
    {
        "nv_inference_request_success",
        "nv_inference_request_failure",
        "nv_inference_count",
        "nv_inference_exec_count",
        "nv_inference_queue_duration_us",
        "nv_inference_compute_infer_duration_us",
        "nv_inference_pending_request_count",
        "nv_gpu_utilization",
        "nv_gpu_memory_used_bytes",
        "nv_gpu_memory_total_bytes",
        "nv_gpu_power_usage",
        "nv_cpu_utilization",
        "nv_cpu_memory_used_bytes",
        "grainserve_device_busy_seconds_total",
        "grainserve_instances",
        "grainserve_device_memory_used_bytes",
        "grainserve_device_memory_budget_bytes",
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:kv_cache_usage_perc",
        "vllm:num_preemptions_total",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
        "vllm:request_success_total",
    };

    /// <summary>Histograms, by family name: PromQL reads their <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series.</summary>
    public static readonly IReadOnlySet<string> Histograms = new HashSet<string>
    {
        "nv_inference_first_response_histogram_ms",
        "vllm:time_to_first_token_seconds",
        "vllm:inter_token_latency_seconds",
        "vllm:e2e_request_latency_seconds",
    };

    /// <summary>Whether a series name read by PromQL is one of these.</summary>
    public static bool IsKnown(string name) =>
        Series.Contains(name) || Histograms.Any(h => name == $"{h}_bucket" || name == $"{h}_sum" || name == $"{h}_count");
}
