using System.Text;

namespace GrainServe.Generation;

public sealed class GenerationMetricsTests
{
    [Fact]
    public void Write_LiveAndUnloadedInstances_CountersNeverGoBackwards()
    {
        var model = "metrics_test_" + Guid.NewGuid().ToString("N");
        var first = GenerationMetrics.Register(model);
        first.Start(() => new EngineSnapshot { Running = 2, Waiting = 1, UsedBlocks = 3, TotalBlocks = 10, PromptTokens = 40, GenerationTokens = 7, Preemptions = 1, KvBytesHeld = 3000, KvPoolBytes = 10000 });
        var second = GenerationMetrics.Register(model);
        second.Start(() => new EngineSnapshot { Running = 1, UsedBlocks = 2, TotalBlocks = 10, PromptTokens = 5, GenerationTokens = 3, KvBytesHeld = 500, KvPoolBytes = 10000 });
        using var neverStarted = GenerationMetrics.Register(model);
        first.OnFirstToken(TimeSpan.FromMilliseconds(30));
        first.OnNextToken(TimeSpan.FromMilliseconds(12));
        first.OnFinished(FinishReason.Length, TimeSpan.FromSeconds(0.4), 40, 7);
        second.OnFinished(FinishReason.EndOfSequence, TimeSpan.FromSeconds(2), 5, 3);

        var live = Text();
        Assert.Contains($"vllm:num_requests_running{{model_name=\"{model}\",silo=\"s\"}} 3\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:num_requests_waiting{{model_name=\"{model}\",silo=\"s\"}} 1\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:kv_cache_usage_perc{{model_name=\"{model}\",silo=\"s\"}} 0.25\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:prompt_tokens_total{{model_name=\"{model}\",silo=\"s\"}} 45\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:request_success_total{{model_name=\"{model}\",silo=\"s\",finished_reason=\"length\"}} 1\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:request_success_total{{model_name=\"{model}\",silo=\"s\",finished_reason=\"stop\"}} 1\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:time_to_first_token_seconds_bucket{{model_name=\"{model}\",silo=\"s\",le=\"0.02\"}} 0\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:time_to_first_token_seconds_bucket{{model_name=\"{model}\",silo=\"s\",le=\"0.04\"}} 1\n", live, StringComparison.Ordinal);
        Assert.Contains($"vllm:e2e_request_latency_seconds_count{{model_name=\"{model}\",silo=\"s\"}} 2\n", live, StringComparison.Ordinal);
        Assert.Contains("# TYPE vllm:inter_token_latency_seconds histogram\n", live, StringComparison.Ordinal);
        Assert.Contains($"grainserve_generation_kv_cache_held_bytes{{model_name=\"{model}\",silo=\"s\"}} 3500\n", live, StringComparison.Ordinal);
        Assert.Contains($"grainserve_generation_kv_cache_pool_bytes{{model_name=\"{model}\",silo=\"s\"}} 20000\n", live, StringComparison.Ordinal);

        first.Dispose();
        var after = Text();
        Assert.Contains($"vllm:num_requests_running{{model_name=\"{model}\",silo=\"s\"}} 1\n", after, StringComparison.Ordinal);
        Assert.Contains($"vllm:generation_tokens_total{{model_name=\"{model}\",silo=\"s\"}} 10\n", after, StringComparison.Ordinal);
        Assert.Contains($"vllm:num_preemptions_total{{model_name=\"{model}\",silo=\"s\"}} 1\n", after, StringComparison.Ordinal);
        // An unloaded instance holds no KV any more: gauges drop, counters stay.
        Assert.Contains($"grainserve_generation_kv_cache_held_bytes{{model_name=\"{model}\",silo=\"s\"}} 500\n", after, StringComparison.Ordinal);
        second.Dispose();
    }

    private static string Text()
    {
        var text = new StringBuilder();
        GenerationMetrics.Write(text, "s");
        return text.ToString();
    }
}
