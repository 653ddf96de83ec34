using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// One loaded Whisper model behind the V2 infer route: audio file in, text out. Each request is decoded and turned into
/// a log-mel spectrogram here, then transcribed window by window as whisper's <c>transcribe()</c> does, every window's
/// decode a sequence on the instance's shared generation engine, so concurrent transcriptions share decode steps.
/// </summary>
internal sealed class WhisperInstance : IInstanceScheduler
{
    /// <summary>The output holding the transcript in the asked response format (plain text by default).</summary>
    public const string TextOutput = "text";

    /// <summary>The output holding OpenAI's verbose_json document: language, duration, text and timed segments.</summary>
    public const string VerboseJsonOutput = "verbose_json";

    private readonly string _version;
    private readonly WhisperModel _model;
    private readonly AudioDecoder _audio;
    private readonly AudioLimits _limits;
    private readonly TimeProvider _time;
    private readonly string _device;
    private int _pending;
    private volatile bool _unloading;

    public WhisperInstance(ModelConfig config, string version, WhisperModel model, AudioDecoder audio, AudioLimits limits, TimeProvider time, string device = "")
    {
        _device = device;
        Config = config;
        _version = version;
        _model = model;
        _audio = audio;
        _limits = limits;
        _time = time;
        Statistics = new InstanceStatistics(config.Name ?? "", version)
        {
            BusyTimeSource = () => model.Engine.Snapshot().ComputeTime + model.Encoder.ComputeTime,
        };
    }

    public ModelConfig Config { get; }

    public int Pending => Volatile.Read(ref _pending);

    // Windows waiting for the decoder; a request decoding its audio or running the encoder is underway already.
    public int Waiting => _model.Engine.Snapshot().Waiting;

    public InstanceStatistics Statistics { get; }

    public async Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken)
    {
        var (transcript, parsed, failure) = await TranscribeAsync(request, null, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var words = parsed!.Options.WordTimestamps;
        var body = parsed.ResponseFormat == TranscriptResponseFormats.Text ? transcript!.Text.Trim() : TranscriptFormats.Format(transcript!, parsed.ResponseFormat, words);
        var outputs = new List<InferTensor>(2);
        if (request.RequestedOutputs is null || request.RequestedOutputs.Contains(TextOutput))
        {
            outputs.Add(Text(TextOutput, body));
        }

        if (request.RequestedOutputs is null || request.RequestedOutputs.Contains(VerboseJsonOutput))
        {
            outputs.Add(Text(VerboseJsonOutput, TranscriptFormats.VerboseJson(transcript!, words)));
        }

        return InferenceResult.Success(new InferenceResponse(Config.Name ?? "", _version, request.Id, [.. outputs]) { AudioSeconds = transcript!.Duration });
    }

    /// <summary>
    /// Streams a transcription (<see cref="GenerateRequest.Inputs"/> holds its V2 request): one chunk per segment as each
    /// window is decoded, its text in <see cref="GenerateChunk.Text"/>, then a last chunk with the finish reason.
    /// </summary>
    public async IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.Inputs is not { } inputs)
        {
            yield return GenerateChunk.Failure(InferenceErrorCode.InvalidInput, $"model '{Config.Name}' is a Whisper speech-to-text model: use POST /v1/audio/transcriptions or its /infer route with the audio file as a BYTES input");
            yield break;
        }

        var arrived = _time.GetTimestamp();
        var chunks = Channel.CreateUnbounded<GenerateChunk>(new UnboundedChannelOptions { SingleReader = true });
        var segments = 0;
        var work = Task.Run(
            async () =>
            {
                try
                {
                    var (transcript, _, failure) = await TranscribeAsync(
                        inputs,
                        (segment, token) =>
                        {
                            if (segment.Text.Length > 0)
                            {
                                // Whisper's text starts with a space; the stream's first words do not.
                                if (segments == 0)
                                {
                                    Statistics.RecordFirstResponse(_time.GetElapsedTime(arrived));
                                }

                                var text = segments++ == 0 ? segment.Text.TrimStart() : segment.Text;
                                chunks.Writer.TryWrite(new GenerateChunk { ModelVersion = _version, Text = text, TokenIds = [.. segment.Tokens] });
                            }

                            return ValueTask.CompletedTask;
                        },
                        cancellationToken).ConfigureAwait(false);
                    chunks.Writer.TryWrite(failure?.Error is { } error
                        ? new GenerateChunk { ModelVersion = _version, Error = error, FinishReason = GenerateFinishReason.Error }
                        : new GenerateChunk { ModelVersion = _version, FinishReason = GenerateFinishReason.EndOfSequence, CompletionTokens = transcript!.Segments.Sum(s => s.Tokens.Count), AudioSeconds = transcript.Duration });
                }
                finally
                {
                    chunks.Writer.TryComplete();
                }
            },
            CancellationToken.None);

        await foreach (var chunk in chunks.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return chunk;
        }

        await work.ConfigureAwait(false);
    }

    // Parses, decodes the audio and transcribes it; on any failure the result is the answer to send instead.
    private async Task<(Transcript? Transcript, WhisperRequest? Request, InferenceResult? Failure)> TranscribeAsync(
        InferenceRequest request, Func<TranscriptSegment, CancellationToken, ValueTask>? onSegment, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var (parsed, invalid) = WhisperRequest.Parse(request, _model.Tokenizer.IsMultilingual, _model.DefaultBeamSize, _model.DefaultBestOf);
        if (parsed is null)
        {
            return (null, null, Fail(InferenceErrorCode.InvalidInput, invalid!, started));
        }

        if (parsed.Options.WordTimestamps && !_model.HasCrossAttentionWeights)
        {
            return (null, null, Fail(InferenceErrorCode.InvalidInput, EngineWindowDecoder.NoCrossAttentionWeights(Config.Name ?? ""), started));
        }

        var trace = TranscriptionTrace.Start(Config.Name ?? "", _version, _device);
        (string Code, string Message)? traced = ("Internal", "the transcription ended with an exception");
        Interlocked.Increment(ref _pending);
        try
        {
            var audio = await _audio.DecodeAsync(parsed.Audio, _limits, cancellationToken).ConfigureAwait(false);
            var mel = await Task.Run(() => LogMelSpectrogram.Compute(audio.Samples, _model.Filterbank), cancellationToken).ConfigureAwait(false);
            trace?.Decoded(audio.Samples.Length / (double)LogMelSpectrogram.SampleRate);
            var frames = LogMelSpectrogram.FrameCount(audio.Samples.Length);
            var decoder = new EngineWindowDecoder(_model, mel, frames, parsed.Seed ?? DefaultSeed(parsed.Audio.Span), parsed.IgnoreEndOfText);
            var transcriber = new WhisperTranscriber(decoder, _model.Text, _model.Tokenizer.SpecialTokens, decoder);
            var transcript = await transcriber.TranscribeAsync(LogMelSpectrogram.ContentFrameCount(audio.Samples.Length), parsed.Options, onSegment, cancellationToken).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            Statistics.RecordBatch(1, TimeSpan.Zero, elapsed, TimeSpan.Zero, [new RequestTiming(TimeSpan.Zero, elapsed)], _time.GetUtcNow());
            traced = null;
            return (transcript, parsed, null);
        }
        catch (AudioFormatException ex)
        {
            return (null, parsed, Traced(Fail(InferenceErrorCode.InvalidInput, ex.Message, started), ref traced));
        }
        catch (WhisperDecodeException ex)
        {
            return (null, parsed, Traced(Fail(
                !ex.ServerFault ? InferenceErrorCode.InvalidInput : _unloading ? InferenceErrorCode.ModelNotReady : InferenceErrorCode.Internal,
                _unloading && ex.ServerFault ? Unloaded : ex.Message,
                started), ref traced));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, parsed, Traced(Fail(InferenceErrorCode.Cancelled, "the transcription was cancelled", started), ref traced));
        }
        catch (ObjectDisposedException) when (_unloading)
        {
            return (null, parsed, Traced(Fail(InferenceErrorCode.ModelNotReady, Unloaded, started), ref traced));
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            trace?.End(traced);
        }
    }

    private string Unloaded => $"model '{Config.Name}' version {_version} was unloaded while transcribing; retry";

    public async ValueTask DisposeAsync()
    {
        _unloading = true;
        await _model.DisposeAsync();
    }

    // Without a seed, the file's own hash: a fallback to sampling then still gives the same transcript for the same
    // audio, on any instance, which is what a client retrying a request expects.
    private static long DefaultSeed(ReadOnlySpan<byte> audio) => unchecked((long)System.IO.Hashing.XxHash64.HashToUInt64(audio));

    // Notes a failure's code and message for the request's span, which the caller's finally ends.
    private static InferenceResult Traced(InferenceResult failure, ref (string Code, string Message)? traced)
    {
        traced = (failure.Error!.Code.ToString(), failure.Error.Message);
        return failure;
    }

    private InferenceResult Fail(InferenceErrorCode code, string message, long started)
    {
        Statistics.RecordFailures(1, _time.GetElapsedTime(started), FailureReasons.Of(code));
        return InferenceResult.Failure(code, message);
    }

    private static InferTensor Text(string name, string text) =>
        new(name, InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes(text)]));
}
