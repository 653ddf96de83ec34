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

    // The waiting requests three ways, each a sorted set so that taking, withdrawing and expiring cost O(log n): in run
    // order (level, deadline, arrival), by deadline, and by queue timeout. An entry is in the first always and in the
    // others when it has a deadline or a rejecting timeout; Remove keeps them in step.
    private readonly SortedSet<Entry> _queue = new(Entry.RunOrder);
    private readonly SortedSet<Entry> _byDeadline = new(Entry.DeadlineOrder);
    private readonly SortedSet<Entry> _byTimeout = new(Entry.TimeoutOrder);
    private readonly int[] _waitingByLevel;
    private readonly BatchDurationEstimate _estimate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly int _scanLimit;
    private TaskCompletionSource _wake = NewWake();
    private int _running;
    private bool _closed;
    private long _arrivals;
    private long _passes;

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
        _waitingByLevel = new int[settings.LevelCount + 1];

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

    /// <summary>The instance's recent batch duration, its spread and batch size, which deadlines are checked against.</summary>
    public BatchDurationEstimate Estimate => _estimate;

    /// <summary>Times the loop has looked at the queue: once per batch, arrival, timeout or delay, never in a spin.</summary>
    internal long Passes => Interlocked.Read(ref _passes);

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
    /// Queues a validated request (inputs in the model's input order) at the priority level its <c>priority</c>
    /// parameter names. Returns at once with an error value when the parameters are wrong
    /// (<see cref="InferenceErrorCode.InvalidInput"/>), when its level has <c>max_queue_size</c> requests waiting
    /// (<see cref="InferenceErrorCode.QueueFull"/>) or when its <see cref="InferenceRequest.Deadline"/> is too close for a
    /// batch to end by it (<see cref="InferenceErrorCode.DeadlineExceeded"/>). A request that waits until it can no longer
    /// meet its deadline leaves the queue unrun with the same code. When <paramref name="cancellationToken"/> fires while
    /// the request still waits (its caller went away), it leaves the queue unrun and completes as
    /// <see cref="InferenceErrorCode.Cancelled"/>; once its batch runs, it runs to the end.
    /// </summary>
    public Task<InferenceResult> Enqueue(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var (level, timeout, invalid) = QueueParameters.Read(request.Parameters, _settings, _modelName);
        var policy = _settings.PolicyOf(Math.Max(level, 1));
        var entry = new Entry(this, request, Rows(request), ShapeKey(request), now, Interlocked.Increment(ref _arrivals))
        {
            Span = BatchTrace.StartRequest(_modelName, _modelVersion, _device, request.Id),
            Level = level,
            Deadline = request.Deadline,
            TimeoutAt = timeout > TimeSpan.Zero && policy.TimeoutAction == QueueTimeoutAction.Reject ? now + timeout : null,
            Timeout = timeout,
        };
        if (invalid is not null)
        {
            Statistics.RecordFailures(1, TimeSpan.Zero, FailureReason.Other);
            Complete(entry, InferenceResult.Failure(InferenceErrorCode.InvalidInput, invalid));
            return entry.Completion.Task;
        }

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
            else if (entry.Deadline is { } deadline && _estimate.Allowance is var allowance && !BatchPolicy.CanMeet(deadline, now, allowance))
            {
                GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.DeadlineExceeded);
                Statistics.RecordFailures(1, TimeSpan.Zero, FailureReason.Rejected);
                refused = InferenceResult.Failure(InferenceErrorCode.DeadlineExceeded, $"model '{_modelName}' version {_modelVersion}: the request cannot be answered by its deadline ({Ms(deadline - now)} ms left; a batch here takes up to about {Ms(allowance)} ms), so it was not run");
            }
            else if (policy.MaxQueueSize > 0 && _waitingByLevel[level] >= policy.MaxQueueSize)
            {
                GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.QueueFull);
                Statistics.RecordFailures(1, TimeSpan.Zero, FailureReason.Rejected);
                var where = _settings.PriorityLevels > 0 ? $" at priority level {level}" : "";
                refused = InferenceResult.Failure(InferenceErrorCode.QueueFull, $"model '{_modelName}' version {_modelVersion}: the queue is full ({policy.MaxQueueSize} requests waiting{where}); retry later");
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                refused = Cancelled();
            }
            else
            {
                Add(entry);
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
            if (!Remove(entry))
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
    // callback takes the lock. Each answer carries the instance's figures, which gateways route deadlines by.
    private void Complete(Entry entry, InferenceResult result)
    {
        entry.Cancellation.Dispose();
        BatchTrace.EndRequest(entry.Span, result);
        entry.Completion.TrySetResult(_estimate.Current is { } estimate ? result.WithEstimate(estimate) : result);
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
            _byDeadline.Clear();
            _byTimeout.Clear();
            Array.Clear(_waitingByLevel);
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
            DateTimeOffset decidedAt;
            Interlocked.Increment(ref _passes);
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                var now = decidedAt = _time.GetUtcNow();
                var batchTime = _estimate.Allowance;
                expired = TakeExpired(now, batchTime);

                // The policy reads no further than one request past a full batch: copying the whole queue on every
                // pass would cost O(queue) per batch, O(queue²) per queue drained without batching.
                pending.Clear();
                foreach (var entry in _queue)
                {
                    if (pending.Count == _scanLimit)
                    {
                        break;
                    }

                    pending.Add(new PendingBatchItem(entry.Rows, entry.EnqueuedAt, entry.ShapeKey, entry.Deadline));
                }

                var decision = BatchPolicy.Decide(pending, now, _settings, batchTime);
                wait = decision.WaitFor;
                if (decision.Count > 0)
                {
                    batch = _queue.Take(decision.Count).ToArray();
                    foreach (var entry in batch)
                    {
                        Remove(entry);
                    }

                    _running = batch.Length;
                }
                else if (NextExpiry(now, batchTime) is { } expiry && (wait is null || expiry < wait))
                {
                    // A request deeper in the queue than the policy read may reach its timeout, or stop being able to
                    // meet its deadline, first: the loop wakes to answer it then rather than at the next batch.
                    wait = expiry;
                }

                // Every pass decides on the whole queue as it is now, so the wake it awaits is a fresh one that only a
                // later change completes. Keeping a completed one while requests wait for their batch to fill made the
                // loop spin through every pass until the delay was over.
                if (_wake.Task.IsCompleted)
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
                // Timed to the moment this pass decided on. A clock that moved past it meanwhile (a test's fake clock,
                // advanced from another thread before the timer was set, which a timer set after the move never sees)
                // is caught by looking again once the timer is set.
                var dueAt = decidedAt + delay;
                var left = dueAt - _time.GetUtcNow();
                if (left < FineDelay.TimerResolution && FineDelay.Supported && ReferenceEquals(_time, TimeProvider.System))
                {
                    // Under a millisecond a timer fires at once; this sleeps the delay out, or until a request arrives.
                    FineDelay.Wait(left, wake, _stopping.Token);
                    continue;
                }

                using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var elapsed = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time, timer.Token);
                if (_time.GetUtcNow() < dueAt)
                {
                    await Task.WhenAny(wake, elapsed);
                }

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
            _estimate.Record(finished - started, batch.Length);
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
}
