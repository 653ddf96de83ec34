using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Speech.Synthesis;

/// <summary>
/// One loaded text-to-speech model behind the V2 infer route and the streaming path: text in, audio out. The kind of
/// voice is its <see cref="ISpeechSynthesizer"/>; this class owns what every kind shares: parsing, the outputs, the
/// statistics and turning exceptions into answers.
/// </summary>
internal sealed class SynthesisInstance : IInstanceScheduler
{
    /// <summary>The utterance as 32-bit float samples, shape [samples]: the default output.</summary>
    public const string AudioOutput = "audio";

    /// <summary>The utterance as 16-bit integer samples, shape [samples]: asked for by name.</summary>
    public const string AudioInt16Output = "audio_int16";

    /// <summary>The samples per second of either audio output, INT32 shape [1].</summary>
    public const string SampleRateOutput = "sample_rate";

    private readonly string _version;
    private readonly ISpeechSynthesizer _synthesizer;
    private readonly TimeProvider _time;
    private int _pending;
    private volatile bool _unloading;

    public SynthesisInstance(ModelConfig config, string version, ISpeechSynthesizer synthesizer, TimeProvider time)
    {
        Config = config;
        _version = version;
        _synthesizer = synthesizer;
        _time = time;
        Statistics = new InstanceStatistics(config.Name ?? "", version) { BusyTimeSource = () => synthesizer.ComputeTime };
    }

    public ModelConfig Config { get; }

    public int Pending => Volatile.Read(ref _pending);

    public int Waiting => _synthesizer.Waiting;

    public InstanceStatistics Statistics { get; }

    /// <summary>Samples per second of this model's audio.</summary>
    public int SampleRate => _synthesizer.SampleRate;

    public async Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken)
    {
        if (request.RequestedOutputs?.FirstOrDefault(o => o is not (AudioOutput or AudioInt16Output or SampleRateOutput)) is { } unknown)
        {
            return InferenceResult.Failure(InferenceErrorCode.InvalidInput, $"unknown output '{unknown}'; a text-to-speech model has {AudioOutput}, {AudioInt16Output} and {SampleRateOutput}");
        }

        var started = _time.GetTimestamp();
        var samples = new List<float>();
        InferenceResult? failure = null;
        await foreach (var piece in RunAsync(request, started, cancellationToken).ConfigureAwait(false))
        {
            if (piece.Failure is not null)
            {
                failure = piece.Failure;
                break;
            }

            samples.AddRange(piece.Samples!);
        }

        if (failure is not null)
        {
            return failure;
        }

        var wanted = request.RequestedOutputs ?? [AudioOutput, SampleRateOutput];
        var outputs = new List<InferTensor>(wanted.Length);
        foreach (var name in wanted.Distinct())
        {
            outputs.Add(name switch
            {
                AudioOutput => new InferTensor(name, InferDatatype.Fp32, [samples.Count], MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(samples)).ToArray()),
                AudioInt16Output => new InferTensor(name, InferDatatype.Int16, [samples.Count], MemoryMarshal.AsBytes(Pcm16.FromFloat(CollectionsMarshal.AsSpan(samples)).AsSpan()).ToArray()),
                _ => new InferTensor(name, InferDatatype.Int32, [1], BitConverter.GetBytes(_synthesizer.SampleRate)),
            });
        }

        return InferenceResult.Success(new InferenceResponse(Config.Name ?? "", _version, request.Id, [.. outputs]) { AudioSeconds = samples.Count / (double)_synthesizer.SampleRate });
    }

    /// <summary>
    /// Streams a synthesis (<see cref="GenerateRequest.Inputs"/> holds its V2 request): one chunk per stretch of audio as the
    /// model makes it, in <see cref="GenerateChunk.Audio"/>, then a last chunk with the finish reason. A request that
    /// cannot start is one error chunk.
    /// </summary>
    public async IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.Inputs is not { } inputs)
        {
            yield return GenerateChunk.Failure(InferenceErrorCode.InvalidInput, $"model '{Config.Name}' is a text-to-speech model: use POST /v1/audio/speech or its /infer route with the text as a BYTES input");
            yield break;
        }

        var started = _time.GetTimestamp();
        var first = true;
        await foreach (var piece in RunAsync(inputs, started, cancellationToken).ConfigureAwait(false))
        {
            if (piece.Failure is { Error: { } error })
            {
                yield return new GenerateChunk { ModelVersion = _version, Error = error, FinishReason = GenerateFinishReason.Error };
                yield break;
            }

            if (first)
            {
                Statistics.RecordFirstResponse(_time.GetElapsedTime(started));
                first = false;
            }

            yield return new GenerateChunk { ModelVersion = _version, Audio = MemoryMarshal.AsBytes(piece.Samples.AsSpan()).ToArray(), SampleRate = _synthesizer.SampleRate, AudioSeconds = piece.Samples!.Length / (double)_synthesizer.SampleRate };
        }

        yield return new GenerateChunk { ModelVersion = _version, SampleRate = _synthesizer.SampleRate, FinishReason = GenerateFinishReason.EndOfSequence };
    }

    // The synthesis as a sequence of audio stretches, ending with one failure where it fails; statistics recorded here.
    private async IAsyncEnumerable<(float[]? Samples, InferenceResult? Failure)> RunAsync(
        InferenceRequest request, long started, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (parsed, invalid) = SynthesisRequest.Parse(request, _synthesizer.MaxCharacters, _synthesizer.ExtraParameters);
        invalid ??= parsed is null ? null : _synthesizer.Validate(parsed);
        if (invalid is not null)
        {
            yield return (null, Fail(InferenceErrorCode.InvalidInput, invalid, started));
            yield break;
        }

        Interlocked.Increment(ref _pending);
        long samples = 0;
        try
        {
            await using var audio = _synthesizer.SynthesizeAsync(parsed!, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                InferenceResult? failure = null;
                var more = false;
                try
                {
                    more = await audio.MoveNextAsync().ConfigureAwait(false);
                }
                catch (InferenceException ex)
                {
                    failure = Fail(ex.Code, ex.Message, started);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    failure = Fail(InferenceErrorCode.Cancelled, "the synthesis was cancelled", started);
                }
                catch (ObjectDisposedException) when (_unloading)
                {
                    failure = Fail(InferenceErrorCode.ModelNotReady, $"model '{Config.Name}' version {_version} was unloaded while speaking; retry", started);
                }

                if (failure is not null)
                {
                    yield return (null, failure);
                    yield break;
                }

                if (!more)
                {
                    break;
                }

                samples += audio.Current.Length;
                yield return (audio.Current, null);
            }

            var elapsed = _time.GetElapsedTime(started);
            GrainServeMetrics.RecordSynthesis(Config.Name ?? "", _version, samples / (double)_synthesizer.SampleRate, elapsed);
            Statistics.RecordBatch(1, TimeSpan.Zero, elapsed, TimeSpan.Zero, [new RequestTiming(TimeSpan.Zero, elapsed)], _time.GetUtcNow());
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _unloading = true;
        await _synthesizer.DisposeAsync();
    }

    private InferenceResult Fail(InferenceErrorCode code, string message, long started)
    {
        Statistics.RecordFailures(1, _time.GetElapsedTime(started), FailureReasons.Of(code));
        return InferenceResult.Failure(code, message);
    }
}
