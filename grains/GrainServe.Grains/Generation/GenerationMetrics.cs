using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using GrainServe.Monitoring;

namespace GrainServe.Generation;

/// <summary>
/// vLLM's metrics, with exactly vLLM's names, <c>model_name</c> label and units, so vLLM dashboards and KEDA queries work
/// unchanged. Written as Prometheus text by <see cref="Write"/> on the metrics port of every silo that hosts generation
/// instances (the meter-to-Prometheus adapter rewrites names and cannot write <c>vllm:</c>). Gauges are read from the
/// live engines at scrape time; counters and histograms survive an instance's unload, so they never go backwards.
/// </summary>
public static class GenerationMetrics
{
    // vLLM's buckets (vllm/v1/metrics/loggers.py).
    private static readonly double[] FirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
    private static readonly double[] InterTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly double[] RequestBuckets = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

    private static readonly ConcurrentDictionary<string, ModelSeries> Models = new(StringComparer.Ordinal);

    /// <summary>
    /// The observer for one instance of <paramref name="model"/>, to hand to its engine; its gauges are read once
    /// <see cref="Registration.Start"/> names the engine. Dispose it when the instance unloads (or fails to load).
    /// </summary>
    public static Registration Register(string model) => new(Models.GetOrAdd(model, _ => new ModelSeries()));

    /// <summary>Writes every vLLM family in the Prometheus text format (version 0.0.4), each series labelled with its <paramref name="silo"/>.</summary>
    public static void Write(StringBuilder text, string silo)
    {
        var siloLabel = PrometheusText.Label("silo", silo);
        var models = Models.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        if (models.Count == 0)
        {
            return;
        }

        var snapshots = models.Select(m => (Labels: $"{PrometheusText.Label("model_name", m.Key)},{siloLabel}", m.Value, Totals: m.Value.Totals())).ToList();
        Family(text, "vllm:num_requests_running", "gauge", "Number of requests in model execution batches.", snapshots, s => s.Totals.Running);
        Family(text, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", snapshots, s => s.Totals.Waiting);
        Family(text, "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", snapshots,
            s => s.Totals.TotalBlocks == 0 ? 0 : (double)s.Totals.UsedBlocks / s.Totals.TotalBlocks);
        // Not vLLM's: what the host KV caches hold against the pool they are accounted in (IStepModel.KvBytesHeld).
        Family(text, "grainserve_generation_kv_cache_held_bytes", "gauge", "Host bytes the sequences' KV caches hold.", snapshots, s => s.Totals.KvBytesHeld);
        Family(text, "grainserve_generation_kv_cache_pool_bytes", "gauge", "Bytes of the KV cache pools reserved for the model's instances.", snapshots, s => s.Totals.KvPoolBytes);
        Family(text, "vllm:num_preemptions_total", "counter", "Cumulative number of preemption from the engine.", snapshots, s => s.Totals.Preemptions);
        Family(text, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", snapshots, s => s.Totals.PromptTokens);
        Family(text, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", snapshots, s => s.Totals.GenerationTokens);

        text.Append("# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
        foreach (var (labels, series, _) in snapshots)
        {
            foreach (var (reason, count) in series.Successes.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"vllm:request_success_total{{{labels},finished_reason=\"{reason}\"}} {count}\n");
            }
        }

        Histogram(text, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", snapshots, s => s.FirstToken);
        Histogram(text, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", snapshots, s => s.InterToken);
        Histogram(text, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", snapshots, s => s.EndToEnd);
    }

    private static void Family(StringBuilder text, string name, string type, string help, List<(string Labels, ModelSeries Series, EngineSnapshot Totals)> models, Func<(string Labels, ModelSeries Series, EngineSnapshot Totals), double> value)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
        foreach (var model in models)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{{model.Labels}}} {value(model)}\n");
        }
    }

    private static void Histogram(StringBuilder text, string name, string help, List<(string Labels, ModelSeries Series, EngineSnapshot Totals)> models, Func<ModelSeries, BucketHistogram> pick)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
        foreach (var (labels, series, _) in models)
        {
            pick(series).Write(text, name, labels);
        }
    }

    /// <summary>One instance's reporting: its engine's figures, and the observer its engine calls.</summary>
    public sealed class Registration : IGenerationObserver, IDisposable
    {
        private readonly ModelSeries _series;
        private Func<EngineSnapshot>? _snapshot;

        internal Registration(ModelSeries series)
        {
            _series = series;
        }

        /// <summary>Starts reading the engine's gauges and counters at each scrape.</summary>
        public void Start(Func<EngineSnapshot> snapshot)
        {
            lock (_series)
            {
                _snapshot = snapshot;
                _series.Live.Add(this);
            }
        }

        internal EngineSnapshot Snapshot() => _snapshot?.Invoke() ?? new EngineSnapshot();

        /// <inheritdoc />
        public void OnFirstToken(TimeSpan timeToFirstToken) => _series.FirstToken.Record(timeToFirstToken.TotalSeconds);

        /// <inheritdoc />
        public void OnNextToken(TimeSpan interTokenLatency) => _series.InterToken.Record(interTokenLatency.TotalSeconds);

        /// <inheritdoc />
        public void OnFinished(FinishReason reason, TimeSpan endToEnd, int promptTokens, int generationTokens)
        {
            _series.EndToEnd.Record(endToEnd.TotalSeconds);
            var label = reason switch
            {
                FinishReason.EndOfSequence or FinishReason.StopString => "stop",
                FinishReason.Length => "length",
                _ => "abort",
            };
            _series.Successes.AddOrUpdate(label, 1, (_, n) => n + 1);
        }

        /// <summary>Stops reading the engine; its counters stay in the model's totals.</summary>
        public void Dispose()
        {
            var last = Snapshot();
            lock (_series)
            {
                if (_series.Live.Remove(this))
                {
                    _series.Retired = Add(_series.Retired, last with { Running = 0, Waiting = 0, UsedBlocks = 0, TotalBlocks = 0, KvBytesHeld = 0, KvPoolBytes = 0 });
                }
            }
        }
    }

    internal sealed class ModelSeries
    {
        public List<Registration> Live { get; } = [];

        // What unloaded instances counted, so counters never go backwards.
        public EngineSnapshot Retired { get; set; } = new();

        public ConcurrentDictionary<string, long> Successes { get; } = new(StringComparer.Ordinal);

        public BucketHistogram FirstToken { get; } = new(FirstTokenBuckets);

        public BucketHistogram InterToken { get; } = new(InterTokenBuckets);

        public BucketHistogram EndToEnd { get; } = new(RequestBuckets);

        public EngineSnapshot Totals()
        {
            List<Registration> live;
            EngineSnapshot total;
            lock (this)
            {
                live = [.. Live];
                total = Retired;
            }

            return live.Aggregate(total, (sum, r) => Add(sum, r.Snapshot()));
        }
    }

    private static EngineSnapshot Add(EngineSnapshot a, EngineSnapshot b) => new()
    {
        Running = a.Running + b.Running,
        Waiting = a.Waiting + b.Waiting,
        UsedBlocks = a.UsedBlocks + b.UsedBlocks,
        TotalBlocks = a.TotalBlocks + b.TotalBlocks,
        KvBytesHeld = a.KvBytesHeld + b.KvBytesHeld,
        KvPoolBytes = a.KvPoolBytes + b.KvPoolBytes,
        Preemptions = a.Preemptions + b.Preemptions,
        PromptTokens = a.PromptTokens + b.PromptTokens,
        GenerationTokens = a.GenerationTokens + b.GenerationTokens,
        Steps = a.Steps + b.Steps,
    };
}
