using System.Runtime.CompilerServices;
using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// One loaded text generation model: turns protocol requests into token sequences (tokenizer, chat template), runs them
/// on its <see cref="GenerationEngine"/> and streams the engine's updates back as chunks. Owns the engine and the step
/// model.
/// </summary>
internal sealed class TextGenerationInstance : IInstanceScheduler
{
    private readonly string _version;
    private readonly IStepModel _stepModel;
    private readonly GenerationTokenizer _tokenizer;
    private readonly ChatTemplate? _template;
    private readonly int[] _stopTokenIds;
    private readonly GenerationEngine _engine;
    private readonly GenerationMetrics.Registration _metrics;
    private readonly TimeProvider _time;
    private readonly string _device;
    private int _pending;

    // Set when the instance starts to unload. The engine then ends what is still running with an error; that is the
    // retryable ModelNotReady (503) a lost instance answers, not an Internal (500): the server did nothing wrong, and the
    // model grain runs a stream that sent nothing yet on another instance.
    private volatile bool _unloading;

    public TextGenerationInstance(ModelConfig config, string version, IStepModel stepModel, GenerationTokenizer tokenizer, ChatTemplate? template,
        IReadOnlyList<int>? modelEosTokenIds, EngineOptions options, TimeProvider time, string device = "")
    {
        Config = config;
        _version = version;
        _device = device;
        _stepModel = stepModel;
        _tokenizer = tokenizer;
        _template = template;
        _time = time;
        Statistics = new InstanceStatistics(config.Name ?? "", version);

        // genai_config.json's EOS wins over the tokenizer's (the model's export knows what it was trained to end with);
        // the chat template's end-of-turn marker ends a reply as well.
        var stops = new List<int>(modelEosTokenIds is { Count: > 0 } ? modelEosTokenIds : tokenizer.EosTokenIds);
        foreach (var marker in template?.EndOfTurnTokens ?? [])
        {
            if (tokenizer.TokenId(marker) is { } id && !stops.Contains(id))
            {
                stops.Add(id);
            }
        }

        _stopTokenIds = [.. stops];
        // The engine may refuse its options (a pool smaller than one block): then nothing was registered for scrapes.
        _metrics = GenerationMetrics.Register(Config.Name ?? "");
        try
        {
            _engine = new GenerationEngine(stepModel, tokenizer, options, time, _metrics);
        }
        catch (ArgumentException ex)
        {
            _metrics.Dispose();
            throw new ModelLoadException($"model '{config.Name}': {ex.Message}", ex);
        }

        _metrics.Start(_engine.Snapshot);
        Statistics.BusyTimeSource = () => _engine.Snapshot().ComputeTime;
    }

    public ModelConfig Config { get; }

    public int Pending => Volatile.Read(ref _pending);

    public int Waiting => _engine.Snapshot().Waiting;

    public InstanceStatistics Statistics { get; }

    /// <summary>The most tokens one sequence may hold, prompt and output.</summary>
    public int MaxSequenceTokens => _engine.MaxSequenceTokens;

    /// <summary>The engine's live figures.</summary>
    public EngineSnapshot Snapshot() => _engine.Snapshot();

    public Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(InferenceResult.Failure(InferenceErrorCode.InvalidInput, ModelKinds.UseGenerateRoutes(Config.Name ?? "")));

    public async IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (sequence, invalid) = ToSequence(request);
        if (invalid is not null)
        {
            Statistics.RecordFailures(1, TimeSpan.Zero, FailureReason.Other);
            yield return GenerateChunk.Failure(InferenceErrorCode.InvalidInput, invalid);
            yield break;
        }

        var started = _time.GetTimestamp();
        var trace = SequenceTrace.Start(Config.Name ?? "", _version, _device);
        GenerateChunk? last = null;
        Interlocked.Increment(ref _pending);
        try
        {
            // The engine owns cancellation: it ends the sequence at its next step and still sends a final update, so the
            // reader is drained without the token and never misses that last word.
            var updates = _engine.Submit(sequence!, cancellationToken);
            var first = true;
            var queueTime = TimeSpan.Zero;
            await foreach (var update in updates.ReadAllAsync(CancellationToken.None))
            {
                var chunk = ToChunk(update);
                if (first)
                {
                    first = false;
                    Statistics.RecordFirstResponse(_time.GetElapsedTime(started));
                }

                if (update.QueueTime is { } queued)
                {
                    queueTime = queued;
                    trace?.Scheduled(queued);
                }

                if (update.Finish is { } finish)
                {
                    Record(finish, queueTime, _time.GetElapsedTime(started));
                }

                last = chunk;
                yield return chunk;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            trace?.End(last?.PromptTokens ?? 0, last?.CompletionTokens ?? 0,
                last?.FinishReason is null or GenerateFinishReason.Cancelled ? (nameof(InferenceErrorCode.Cancelled), "the stream ended before the sequence finished")
                : last!.Error is { } error ? (error.Code.ToString(), error.Message) : null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _unloading = true;
        await _engine.DisposeAsync();
        _metrics.Dispose();
        _stepModel.Dispose();
    }

    private void Record(FinishReason finish, TimeSpan queued, TimeSpan elapsed)
    {
        if (finish is FinishReason.Error or FinishReason.Cancelled)
        {
            // An error while unloading is the lost instance the router retries elsewhere, not the model's fault.
            var reason = finish == FinishReason.Cancelled ? FailureReason.Canceled : _unloading ? FailureReason.Other : FailureReason.Backend;
            Statistics.RecordFailures(1, elapsed, reason);
        }
        else
        {
            // One request of one row; the engine's steps are not Triton batches, so compute time is the request's time
            // after it was first scheduled.
            Statistics.RecordBatch(1, TimeSpan.Zero, elapsed - queued, TimeSpan.Zero, [new RequestTiming(queued, elapsed)], _time.GetUtcNow());
        }
    }

    private (GenerationRequest? Sequence, string? Error) ToSequence(GenerateRequest request)
    {
        int[] prompt;
        if (request.Messages is { } messages)
        {
            if (_template is null)
            {
                return (null, $"model '{Config.Name}' has no chat template (parameter chat_template in its config.json, or a chat_template in its tokenizer_config.json); use /v1/completions with a prompt");
            }

            string text;
            try
            {
                text = _template.Render(messages.Select(m => new ChatMessage(m.Role, m.Content)).ToList(), addGenerationPrompt: true);
            }
            catch (ArgumentException ex)
            {
                return (null, ex.Message);
            }

            // A template that writes the BOS itself (llama3, mistral) must not get a second one from the tokenizer.
            prompt = _tokenizer.Encode(text, addBosToken: _tokenizer.AddBosToken && !_template.RendersBos);
        }
        else if (request.PromptTokenIds is { } ids)
        {
            prompt = ids;
        }
        else
        {
            prompt = _tokenizer.Encode(request.Prompt ?? "");
        }

        if (prompt.Length == 0)
        {
            return (null, "the prompt is empty: give at least one token of text");
        }

        var room = _engine.MaxSequenceTokens - prompt.Length;
        if (request.MaxTokens is null && room < 1)
        {
            return (null, $"the prompt has {prompt.Length} tokens and model '{Config.Name}' holds at most {_engine.MaxSequenceTokens} tokens a sequence, leaving none to generate");
        }

        var sampling = new SamplingParameters
        {
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            MinP = request.MinP,
            RepetitionPenalty = request.RepetitionPenalty,
            PresencePenalty = request.PresencePenalty,
            FrequencyPenalty = request.FrequencyPenalty,
            Seed = request.Seed,
            MaxTokens = request.MaxTokens ?? room,
            Stop = request.Stop,
            IgnoreEos = request.IgnoreEos,
            Logprobs = request.Logprobs,
            TopLogprobs = request.TopLogprobs,
        };
        var sequence = new GenerationRequest(prompt, sampling, _stopTokenIds) { Priority = request.Priority };
        return _engine.Validate(sequence) is { } error ? (null, error) : (sequence, null);
    }

    private GenerateChunk ToChunk(GenerationUpdate update) => new()
    {
        ModelVersion = _version,
        Text = update.Text,
        TokenIds = [.. update.TokenIds],
        Logprobs = update.Logprobs?.Select(ToLogprob).ToArray(),
        FinishReason = update.Finish switch
        {
            null => null,
            FinishReason.EndOfSequence => GenerateFinishReason.EndOfSequence,
            FinishReason.StopString => GenerateFinishReason.StopString,
            FinishReason.Length => GenerateFinishReason.Length,
            FinishReason.Cancelled => GenerateFinishReason.Cancelled,
            _ => GenerateFinishReason.Error,
        },
        MatchedStop = update.MatchedStop,
        KvCacheUsage = _engine.Snapshot().KvCacheUsage,
        PromptTokens = update.PromptTokens,
        CompletionTokens = update.CompletionTokens,
        Error = update.Finish != FinishReason.Error ? null
            : _unloading ? new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{Config.Name}' version {_version} was unloaded while generating; retry")
            : new InferenceError(InferenceErrorCode.Internal, $"model '{Config.Name}' failed while generating: {update.Error}"),
    };

    private GenerateTokenLogprob ToLogprob(GeneratedToken token) => new()
    {
        TokenId = token.Token.TokenId,
        Text = token.Token.Text,
        Logprob = token.Token.Logprob,
        Special = _tokenizer.IsSpecial(token.Token.TokenId),
        Bytes = _tokenizer.TokenBytes(token.Token.TokenId).ToArray(),
        Top = token.Top.Select(t => new GenerateTokenLogprob
        {
            TokenId = t.TokenId, Text = t.Text, Logprob = t.Logprob, Special = _tokenizer.IsSpecial(t.TokenId), Bytes = _tokenizer.TokenBytes(t.TokenId).ToArray(),
        }).ToArray(),
    };
}
