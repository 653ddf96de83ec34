using System.Threading.Channels;

namespace GrainServe.Generation;

/// <summary>
/// One request's state in the engine. The loop thread owns everything here except <see cref="CancelRequested"/>,
/// which a caller's cancellation sets from any thread.
/// </summary>
internal sealed class Sequence
{
    // Prompt then output in one array sized for the most tokens the sequence may ever hold, so a step entry is a
    // slice of it and appending never moves tokens the step model may still be reading.
    private readonly int[] _tokens;
    private volatile bool _cancelRequested;
    private float[] _processed = [];

    public Sequence(long id, GenerationRequest request, ITokenDecoder decoder, int capacity, long submittedTimestamp = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, request.PromptTokens.Length);
        Id = id;
        Request = request;
        _tokens = new int[capacity];
        request.PromptTokens.CopyTo(_tokens, 0);
        PromptLength = request.PromptTokens.Length;
        TotalTokens = PromptLength;
        Random = new SequenceRandom(request.Sampling.Seed ?? System.Random.Shared.NextInt64());
        Detokenizer = new IncrementalDetokenizer(decoder, PromptLength, request.Sampling.SkipSpecialTokens);
        StopMatcher = new StopStringMatcher(request.Sampling.Stop);
        SubmittedTimestamp = submittedTimestamp;
    }

    /// <summary>The engine's id; the step model keys its cache by it.</summary>
    public long Id { get; }

    public GenerationRequest Request { get; }

    public SamplingParameters Sampling => Request.Sampling;

    public SequenceStatus Status { get; set; } = SequenceStatus.Waiting;

    public int PromptLength { get; }

    /// <summary>Prompt plus output tokens.</summary>
    public int TotalTokens { get; private set; }

    public int OutputLength => TotalTokens - PromptLength;

    /// <summary>How many of prompt and output are in the step model's cache; 0 again after a preemption.</summary>
    public int ComputedTokens { get; set; }

    public int UncomputedTokens => TotalTokens - ComputedTokens;

    /// <summary>The KV the scheduler reserves for the sequence beyond its tokens: its conditioning state.</summary>
    public int ReservedTokens => Request.ConditioningTokens;

    /// <summary>The kept cache it forks from at admission (it holds one of its references); null once forked, or for none.</summary>
    public RetainedKvCache? ForkSource { get; set; }

    /// <summary>When the scheduler last admitted it (a counter): preemption takes the most recent first.</summary>
    public long AdmissionOrder { get; set; } = -1;

    /// <summary>The most prompt tokens computed so far: prompt_tokens counts each prompt once, not its recomputation.</summary>
    public int PromptTokensCounted { get; set; }

    public SequenceRandom Random { get; }

    public IncrementalDetokenizer Detokenizer { get; }

    public StopStringMatcher StopMatcher { get; }

    public ChannelWriter<GenerationUpdate>? Writer { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }

    public bool CancelRequested
    {
        get => _cancelRequested;
        set => _cancelRequested = value;
    }

    public long SubmittedTimestamp { get; }

    /// <summary>When the scheduler first took it into a step; 0 while it has only waited.</summary>
    public long FirstScheduledTimestamp { get; set; }

    /// <summary>When its latest token was produced; 0 before the first.</summary>
    public long LastTokenTimestamp { get; set; }

    /// <summary>A scratch row for a logits processor to write, kept for the sequence's life.</summary>
    public Span<float> ProcessedLogits(int vocabulary)
    {
        if (_processed.Length < vocabulary)
        {
            _processed = new float[vocabulary];
        }

        return _processed.AsSpan(0, vocabulary);
    }

    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, TotalTokens);

    public ReadOnlySpan<int> Prompt => _tokens.AsSpan(0, PromptLength);

    public ReadOnlySpan<int> Output => _tokens.AsSpan(PromptLength, OutputLength);

    /// <summary>Tokens <paramref name="start"/> onwards, as a step entry feeds them (the array never moves).</summary>
    public ReadOnlyMemory<int> Slice(int start, int count) => _tokens.AsMemory(start, count);

    public void Append(int token)
    {
        if (TotalTokens == _tokens.Length)
        {
            throw new InvalidOperationException($"Sequence {Id} is full ({_tokens.Length} tokens).");
        }

        _tokens[TotalTokens++] = token;
    }
}
