using System.Diagnostics;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Runtime;
using GrainServe.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrainServe.Batching;

/// <summary>
/// The dynamic batch queue of one model instance. Requests wait here until <see cref="BatchPolicy"/> forms
/// a batch; one batch runs at a time, on a thread-pool thread, so callers (the GPU grain) keep queueing while
/// it runs. Every queued request is completed exactly once: with its outputs, or with an error.
/// </summary>
public sealed partial class BatchQueue : IAsyncDisposable
{
    private readonly string _modelName;
    private readonly string _modelVersion;
    private readonly string _device;
    private readonly IModelRunner _runner;
    private readonly BatchingSettings _settings;
    private readonly string[] _outputNames;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Entry> _queue = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly int _scanLimit;
    private TaskCompletionSource _wake = NewWake();
    private int _running;
    private bool _closed;

    /// <summary>Creates the queue and starts its loop; <paramref name="device"/> (the GPU grain key) tags its spans.</summary>
    public BatchQueue(string modelName, string modelVersion, IModelRunner runner, BatchingSettings settings, TimeProvider time, ILogger logger, string device = "")
    {
        _modelName = modelName;
        _modelVersion = modelVersion;
        _device = device;
        _runner = runner;
        _settings = settings;
        _outputNames = runner.Config.Output.Select(o => o.Name).ToArray();
        _time = time;
        _logger = logger;
        Statistics = new InstanceStatistics(modelName, modelVersion);

        // A batch takes at most max_batch_size rows, so at most that many requests of a row or more, and the policy
        // needs one more to see that the batch cannot grow. Without dynamic batching it needs only the first.
        _scanLimit = settings.Dynamic && settings.MaxBatchSize > 0 ? settings.MaxBatchSize + 1 : 1;
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>The instance's inference statistics.</summary>
    public InstanceStatistics Statistics { get; }

    /// <summary>Requests queued plus those in the running batch.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count + _running;
            }
        }
    }

    /// <summary>Requests waiting, not counting the running batch.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Queues a validated request (inputs in the model's input order). Returns at once with a
    /// <see cref="InferenceErrorCode.QueueFull"/> error when <c>max_queue_size</c> requests are waiting. When
    /// <paramref name="cancellationToken"/> fires while the request still waits (its caller went away), it leaves the
    /// queue unrun and completes as <see cref="InferenceErrorCode.Cancelled"/>; once its batch runs, it runs to the end.
    /// </summary>
    public Task<InferenceResult> Enqueue(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var entry = new Entry(this, request, Rows(request), ShapeKey(request), _time.GetUtcNow())
        {
            Span = BatchTrace.StartRequest(_modelName, _modelVersion, _device, request.Id),
        };
        if (cancellationToken.CanBeCanceled)
        {
            // Registered before the entry is queued, so that every thread that can complete it sees the registration;
            // a cancellation that lands before the entry is queued finds nothing to withdraw, and is checked below.
            entry.Cancellation = cancellationToken.UnsafeRegister(static state => ((Entry)state!).Queue.Withdraw((Entry)state!), entry);
        }

        InferenceResult? refused = null;
        lock (_lock)
        {
            if (_closed)
            {
                refused = InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"model '{_modelName}' version {_modelVersion}: the instance is unloading; retry");
            }
            else if (_settings.MaxQueueSize > 0 && _queue.Count >= _settings.MaxQueueSize)
            {
                GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.QueueFull);
                Statistics.RecordFailures(1, TimeSpan.Zero, FailureReason.Rejected);
                refused = InferenceResult.Failure(InferenceErrorCode.QueueFull, $"model '{_modelName}' version {_modelVersion}: the queue is full ({_settings.MaxQueueSize} requests waiting); retry later");
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                refused = Cancelled();
            }
            else
            {
                _queue.Add(entry);
                _wake.TrySetResult();
            }
        }

        if (refused is not null)
        {
            Complete(entry, refused);
        }

        return entry.Completion.Task;
    }

    // A waiting request's caller went away: take it out of the queue, unless a batch has taken it already.
    private void Withdraw(Entry entry)
    {
        lock (_lock)
        {
            if (!_queue.Remove(entry))
            {
                return;
            }
        }

        GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.Cancelled);
        Statistics.RecordFailures(1, _time.GetUtcNow() - entry.EnqueuedAt, FailureReason.Canceled);
        Complete(entry, Cancelled());
    }

    private InferenceResult Cancelled() =>
        InferenceResult.Failure(InferenceErrorCode.Cancelled, $"model '{_modelName}' version {_modelVersion}: the request was cancelled by its caller before it ran");

    // Every completion goes through here, outside the lock: it releases the cancellation registration, whose
    // callback takes the lock.
    private static void Complete(Entry entry, InferenceResult result)
    {
        entry.Cancellation.Dispose();
        BatchTrace.EndRequest(entry.Span, result);
        entry.Completion.TrySetResult(result);
    }

    /// <summary>
    /// Stops taking requests, fails those still queued as not ready (retryable), and waits for the running batch.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        List<Entry> abandoned;
        lock (_lock)
        {
            _closed = true;
            abandoned = [.. _queue];
            _queue.Clear();
            _wake.TrySetResult();
        }

        foreach (var entry in abandoned)
        {
            Complete(entry, InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"model '{_modelName}' version {_modelVersion}: the instance was unloaded before the request ran; retry"));
        }

        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task RunLoopAsync()
    {
        // The loop started inside whatever call created the instance: its batches belong to no trace of that call's.
        Activity.Current = null;
        var pending = new List<PendingBatchItem>();
        while (true)
        {
            Entry[]? batch = null;
            List<(Entry Entry, InferenceResult Result)>? expired;
            TimeSpan? wait;
            Task wake;
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                expired = RejectExpired();

                // The policy reads no further than one request past a full batch: copying the whole queue on every
                // pass would cost O(queue) per batch, O(queue²) per queue drained without batching.
                pending.Clear();
                for (var i = 0; i < Math.Min(_queue.Count, _scanLimit); i++)
                {
                    var entry = _queue[i];
                    pending.Add(new PendingBatchItem(entry.Rows, entry.EnqueuedAt, entry.ShapeKey));
                }

                var decision = BatchPolicy.Decide(pending, _time.GetUtcNow(), _settings);
                wait = decision.WaitFor;
                if (decision.Count > 0)
                {
                    batch = _queue.GetRange(0, decision.Count).ToArray();
                    _queue.RemoveRange(0, decision.Count);
                    _running = batch.Length;
                }

                if (_queue.Count == 0 || batch is not null)
                {
                    _wake = NewWake();
                }

                wake = _wake.Task;
            }

            foreach (var (entry, result) in expired ?? [])
            {
                Complete(entry, result);
            }

            if (batch is not null)
            {
                await RunBatchAsync(batch);
                lock (_lock)
                {
                    _running = 0;
                }

                continue;
            }

            if (wait is { } delay)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                await Task.WhenAny(wake, Task.Delay(delay, _time, timer.Token));
                await timer.CancelAsync();
            }
            else
            {
                await wake;
            }
        }
    }

    private async Task RunBatchAsync(Entry[] batch)
    {
        var started = _time.GetUtcNow();
        var rows = batch.Select(e => e.Rows).ToArray();
        var trace = BatchTrace.Begin(batch, static e => e.Span, _modelName, _modelVersion, _device, rows.Sum());
        try
        {
            var requests = batch.Select(e => e.Request.Inputs).ToList();
            var inputs = new InferTensor[requests[0].Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = TensorBatcher.Join(requests, i);
            }

            var joined = _time.GetUtcNow();
            trace?.Event(TelemetryNames.ComputeInputEnd);
            var outputNames = OutputsFor(batch);
            var outputs = await _runner.RunAsync(inputs, outputNames, _stopping.Token);
            var ran = _time.GetUtcNow();
            trace?.Event(TelemetryNames.ComputeOutputStart);
            var split = outputs.Select(o => TensorBatcher.Split(o, rows)).ToArray();
            var responses = new InferenceResult[batch.Length];
            for (var r = 0; r < batch.Length; r++)
            {
                var request = batch[r].Request;
                var mine = new List<InferTensor>(outputNames.Length);
                for (var o = 0; o < outputNames.Length; o++)
                {
                    if (request.RequestedOutputs is null || request.RequestedOutputs.Contains(outputNames[o]))
                    {
                        mine.Add(split[o][r]);
                    }
                }

                responses[r] = InferenceResult.Success(new InferenceResponse(_modelName, _modelVersion, request.Id, [.. mine]));
            }

            var finished = _time.GetUtcNow();
            var timings = new RequestTiming[batch.Length];
            for (var r = 0; r < batch.Length; r++)
            {
                timings[r] = new RequestTiming(started - batch[r].EnqueuedAt, finished - batch[r].EnqueuedAt);
                GrainServeMetrics.RecordQueueDelay(_modelName, _modelVersion, timings[r].Queue);
            }

            // Statistics first: a client that reads them right after its answer sees its own request counted.
            Statistics.RecordBatch(rows.Sum(), joined - started, ran - joined, finished - ran, timings, finished);
            GrainServeMetrics.RecordBatch(_modelName, _modelVersion, rows.Sum(), finished - started);
            trace?.End();
            for (var r = 0; r < batch.Length; r++)
            {
                Complete(batch[r], responses[r]);
            }
        }
        catch (Exception ex)
        {
            // A failed batch fails every request in it, each with the reason.
            LogBatchFailed(_logger, ex, _modelName, _modelVersion, batch.Length);
            trace?.End(ex);
            var now = _time.GetUtcNow();
            Statistics.RecordFailures(batch.Length, batch.Aggregate(TimeSpan.Zero, (sum, e) => sum + (now - e.EnqueuedAt)), FailureReason.Backend);
            Statistics.RecordBusy(now - started);
            var error = InferenceResult.Failure(InferenceErrorCode.Internal, $"model '{_modelName}' version {_modelVersion}: the batch of {batch.Length} request(s) failed: {ex.Message}");
            foreach (var entry in batch)
            {
                Complete(entry, error);
            }
        }
    }

    // The union of the outputs the batch's requests asked for, in the model's order.
    private string[] OutputsFor(Entry[] batch)
    {
        if (batch.Any(e => e.Request.RequestedOutputs is null))
        {
            return _outputNames;
        }

        return _outputNames.Where(n => batch.Any(e => e.Request.RequestedOutputs!.Contains(n))).ToArray();
    }

    // Takes the requests that waited past their timeout out of the queue; the caller completes them after the lock.
    private List<(Entry Entry, InferenceResult Result)>? RejectExpired()
    {
        if (_settings.QueueTimeout <= TimeSpan.Zero || _settings.TimeoutAction != QueueTimeoutAction.Reject)
        {
            return null;
        }

        List<(Entry, InferenceResult)>? expired = null;
        var deadline = _time.GetUtcNow() - _settings.QueueTimeout;
        for (var i = _queue.Count - 1; i >= 0; i--)
        {
            if (_queue[i].EnqueuedAt < deadline)
            {
                GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.Timeout);
                Statistics.RecordFailures(1, _time.GetUtcNow() - _queue[i].EnqueuedAt, FailureReason.Rejected);
                (expired ??= []).Add((_queue[i], InferenceResult.Failure(InferenceErrorCode.Timeout, $"model '{_modelName}' version {_modelVersion}: the request waited in the queue longer than its {_settings.QueueTimeout.TotalMilliseconds} ms timeout; retry")));
                _queue.RemoveAt(i);
            }
        }

        return expired;
    }

    private int Rows(InferenceRequest request) =>
        _settings.MaxBatchSize > 0 && request.Inputs.Length > 0 ? (int)request.Inputs[0].Shape[0] : 1;

    // Only a dynamic batch joins requests, so only it needs their shapes compared.
    private string ShapeKey(InferenceRequest request) =>
        _settings.Dynamic && _settings.MaxBatchSize > 0
            ? string.Join('|', request.Inputs.Select(i => string.Join(',', i.Shape.Skip(1))))
            : "";

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = EventIds.BatchFailed, EventName = nameof(EventIds.BatchFailed), Level = LogLevel.Error,
        Message = "A batch of {BatchSize} requests for model {ModelName} version {ModelVersion} failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string modelName, string modelVersion, int batchSize);

    private sealed class Entry(BatchQueue queue, InferenceRequest request, int rows, string shapeKey, DateTimeOffset enqueuedAt)
    {
        public BatchQueue Queue { get; } = queue;

        public CancellationTokenRegistration Cancellation { get; set; }

        public InferenceRequest Request { get; } = request;

        public int Rows { get; } = rows;

        public string ShapeKey { get; } = shapeKey;

        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

        // The request's span (null while tracing is off), ended by Complete.
        public Activity? Span { get; init; }

        // Completed off the queue's lock and loop: continuations must not run inline on the batch thread.
        public TaskCompletionSource<InferenceResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
