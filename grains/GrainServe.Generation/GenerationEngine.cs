using System.Collections.Concurrent;
using System.Threading.Channels;

namespace GrainServe.Generation;

/// <summary>
/// Continuous batching over one step model: sequences join and leave the running batch at every step, as vLLM's
/// iteration-level scheduler does. One loop thread runs steps while any sequence is waiting or running.
/// </summary>
public sealed partial class GenerationEngine : IAsyncDisposable
{
    private const string UnloadedMessage = "the model instance was unloaded";

    private readonly IStepModel _model;
    private readonly ITokenDecoder _decoder;
    private readonly TimeProvider _time;
    private readonly IGenerationObserver? _observer;
    private readonly KvBlockManager _blocks;
    private readonly long _poolBytes;
    private readonly Scheduler _scheduler;
    private readonly Sampler _sampler = new();
    private readonly List<StepEntry> _entries = [];

    // Submissions cross to the loop thread through this queue; the loop alone touches the scheduler and sequences.
    private readonly ConcurrentQueue<Sequence> _incoming = new();

    // Kept caches their owners handed back, crossing to the loop thread as submissions do.
    private readonly ConcurrentQueue<RetainedKvCache> _releases = new();

    // Counts wake-ups (a submission, a cancellation, disposal); spurious ones only cost an empty pass.
    private readonly SemaphoreSlim _signal = new(0);

    // Orders Submit against DisposeAsync, so every queued sequence is seen by the loop's final drain.
    private readonly Lock _gate = new();

    private Task? _loop;
    private bool _disposed;
    private volatile bool _stopping;
    private long _nextId;

    // Raised by a caller's cancellation, so the loop scans for cancelled sequences only after one.
    private int _cancellations;
    private long _promptTokens;
    private long _generationTokens;
    private long _computedTokens;
    private long _forkedTokens;
    private long _steps;
    private TimeSpan _computeTime;
    private long _drained;

    // The loop's figures with how many submissions it had taken in by then: a sequence submitted since is waiting,
    // whether or not the loop has already dequeued it.
    private volatile Published _published;

    /// <summary>Creates the engine; its loop starts with the first request.</summary>
    public GenerationEngine(IStepModel model, ITokenDecoder decoder, EngineOptions options, TimeProvider? time = null, IGenerationObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(options);
        var failure = GenerationRequestValidator.ValidateOptions(options, model);
        if (failure is not null)
        {
            throw new ArgumentException(failure, nameof(options));
        }

        _model = model;
        _decoder = decoder;
        _time = time ?? TimeProvider.System;
        _observer = observer;
        var context = model.MaxContextLength;
        Options = options with { MaxModelLen = Math.Min(options.MaxModelLen ?? context, context) };
        var blocks = options.KvCacheBytes / (model.KvBytesPerToken * options.BlockSize);
        _blocks = new KvBlockManager((int)Math.Min(blocks, int.MaxValue), options.BlockSize);
        _scheduler = new Scheduler(Options, _blocks);
        MaxSequenceTokens = (int)Math.Min(Options.MaxModelLen.Value, _blocks.TotalTokens);
        _poolBytes = (long)_blocks.TotalBlocks * options.BlockSize * model.KvBytesPerToken;
        model.ConfigureKvBlockSize(options.BlockSize);
        _published = new Published(new EngineSnapshot { TotalBlocks = _blocks.TotalBlocks, KvPoolBytes = _poolBytes }, 0);
    }

    /// <summary>The options in force, <see cref="EngineOptions.MaxModelLen"/> resolved against the model.</summary>
    public EngineOptions Options { get; }

    /// <summary>The most tokens one sequence may hold (prompt plus output): min(max_model_len, the KV pool).</summary>
    public int MaxSequenceTokens { get; }

    /// <summary>
    /// Why the request cannot run (an empty prompt, a token at or past the vocabulary, prompt plus max_tokens past
    /// max_model_len or past the whole KV pool, a bad sampling value), as a message for a 400; null when it can.
    /// </summary>
    public string? Validate(GenerationRequest request) =>
        GenerationRequestValidator.Validate(request, _model.VocabularySize, MaxSequenceTokens, _blocks.TotalTokens);

    /// <summary>
    /// Queues the sequence. The reader yields its updates as steps produce them and completes after the one carrying
    /// <see cref="GenerationUpdate.Finish"/>. Cancelling <paramref name="cancellationToken"/> removes the sequence at
    /// the next step and frees its cache; its last update is then <see cref="FinishReason.Cancelled"/>.
    /// Throws <see cref="ArgumentException"/> when <see cref="Validate"/> would refuse it, and
    /// <see cref="ObjectDisposedException"/> once the engine is disposed.
    /// </summary>
    public ChannelReader<GenerationUpdate> Submit(GenerationRequest request, CancellationToken cancellationToken)
    {
        var failure = Validate(request);
        if (failure is not null)
        {
            throw new ArgumentException(failure, nameof(request));
        }

        var channel = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleWriter = true });
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var capacity = request.PromptTokens.Length + request.Sampling.MaxTokens;
            var sequence = new Sequence(Interlocked.Increment(ref _nextId), request, _decoder, capacity, _time.GetTimestamp())
            {
                Writer = channel.Writer,
            };

            // Registered before the loop can see the sequence, so the loop's Dispose of it never races this write.
            sequence.Cancellation = cancellationToken.Register(() =>
            {
                sequence.CancelRequested = true;
                Interlocked.Increment(ref _cancellations);
                _signal.Release();
            });
            request.ForkFrom?.AddReference();
            _incoming.Enqueue(sequence);
            _loop ??= Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        _signal.Release();
        return channel.Reader;
    }

    /// <summary>
    /// Hands back a kept cache (<see cref="GenerationRequest.RetainCache"/>): no more requests will fork from it. It is
    /// freed once the sequences already submitted to fork from it have (or have ended); before its sequence ends, it
    /// is not kept at all. Safe from any thread; a handle released twice, or never used, is ignored.
    /// </summary>
    public void Release(RetainedKvCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _releases.Enqueue(cache);
        _signal.Release();
    }

    /// <summary>The live figures.</summary>
    public EngineSnapshot Snapshot()
    {
        var published = _published;
        var submitted = Interlocked.Read(ref _nextId);
        return published.Snapshot with { Waiting = published.Snapshot.Waiting + (int)(submitted - published.Drained) };
    }

    /// <summary>Stops the loop; sequences still queued or running finish with <see cref="FinishReason.Error"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            _disposed = true;
            _stopping = true;
            loop = _loop;
        }

        _signal.Release();
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
    }

    private void RunLoop()
    {
        while (!_stopping)
        {
            try
            {
                DrainIncoming();
                DrainReleases();
                RemoveCancelled();
                if (_scheduler.IsIdle)
                {
                    Publish();
                    _signal.Wait();
                    continue;
                }

                Step();
            }
            catch (Exception exception)
            {
                // A bug of ours, not the model's (Step catches those): fail what is live rather than hang it.
                FailAll(exception.Message);
            }

            Publish();
        }

        DrainIncoming();
        FailAll(UnloadedMessage);
        var dropped = new List<long>();
        _scheduler.DropRetained(dropped);
        ReleaseDropped(dropped);
        Publish();
    }

    private void DrainReleases()
    {
        List<long>? dropped = null;
        while (_releases.TryDequeue(out var cache))
        {
            if (!cache.Released)
            {
                _scheduler.Unreference(cache, owner: true, dropped ??= []);
            }
        }

        ReleaseDropped(dropped ?? []);
    }

    private void ReleaseDropped(List<long> dropped)
    {
        foreach (var id in dropped)
        {
            try
            {
                _model.Release(id);
            }
            catch (Exception)
            {
                // As in Finish: a cache the model cannot free must not stop the loop.
            }
        }
    }

    private void DrainIncoming()
    {
        while (_incoming.TryDequeue(out var sequence))
        {
            // Its reference was taken at Submit; dropped at admission (or at its end) whether or not it forks.
            sequence.ForkSource = sequence.Request.ForkFrom;

            _scheduler.Add(sequence);
            _drained++;

            // Cancelled before the loop saw it: its signal may have been spent on a scan that could not find it.
            if (sequence.CancelRequested)
            {
                Interlocked.Increment(ref _cancellations);
            }
        }
    }

    private void RemoveCancelled()
    {
        if (Interlocked.Exchange(ref _cancellations, 0) == 0)
        {
            return;
        }

        List<Sequence>? cancelled = null;
        foreach (var sequence in _scheduler.Running.Concat(_scheduler.Waiting))
        {
            if (sequence.CancelRequested)
            {
                (cancelled ??= []).Add(sequence);
            }
        }

        foreach (var sequence in cancelled ?? [])
        {
            Finish(sequence, new GenerationUpdate { Finish = FinishReason.Cancelled }, FinishReason.Cancelled);
        }
    }

    private void FailAll(string message)
    {
        foreach (var sequence in _scheduler.Running.Concat(_scheduler.Waiting).ToList())
        {
            Finish(sequence, new GenerationUpdate { Finish = FinishReason.Error, Error = message }, FinishReason.Error);
        }
    }

    private void Publish() => _published = new Published(new EngineSnapshot
    {
        Running = _scheduler.Running.Count,
        Waiting = _scheduler.Waiting.Count,
        UsedBlocks = _blocks.UsedBlocks,
        TotalBlocks = _blocks.TotalBlocks,
        KvBytesHeld = _model.KvBytesHeld,
        KvPoolBytes = _poolBytes,
        Preemptions = _scheduler.Preemptions,
        PromptTokens = _promptTokens,
        GenerationTokens = _generationTokens,
        ComputedTokens = _computedTokens,
        ForkedTokens = _forkedTokens,
        RetainedCaches = _scheduler.RetainedCount,
        Steps = _steps,
        ComputeTime = _computeTime,
    }, _drained);

    private sealed record Published(EngineSnapshot Snapshot, long Drained);
}
