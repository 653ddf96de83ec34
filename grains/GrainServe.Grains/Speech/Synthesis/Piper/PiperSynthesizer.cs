using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using GrainServe.Telemetry;
using GrainServe.Tracing;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// Speaks with a Piper voice: espeak-ng phonemes, the voice's phoneme ids, one VITS run per sentence, each
/// sentence's audio handed on as soon as its run ends.
/// </summary>
internal sealed partial class PiperSynthesizer : ISpeechSynthesizer
{
    /// <summary>
    /// OpenAI's voice names: a single-speaker Piper voice has one voice, and OpenAI clients always send a name, so
    /// any of these means it.
    /// </summary>
    public static readonly string[] OpenAiVoices = ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse", "marin", "cedar"];

    private readonly InferenceSession _session;
    private readonly PiperVoiceConfig _voice;
    private readonly PiperModelInputs _inputs;
    private readonly string _model;
    private readonly ILogger _logger;
    private int _waiting;
    private long _computeTicks;

    public PiperSynthesizer(InferenceSession session, PiperVoiceConfig voice, PiperModelInputs inputs, int maxCharacters, string model, ILogger logger)
    {
        _session = session;
        _voice = voice;
        _inputs = inputs;
        MaxCharacters = maxCharacters;
        _model = model;
        _logger = logger;
    }

    public int SampleRate => _voice.SampleRate;

    public int MaxCharacters { get; }

    /// <summary>Piper's two noise knobs, per request, over the voice's <c>inference</c> values.</summary>
    public IReadOnlyCollection<string> ExtraParameters { get; } = ["noise_scale", "noise_w"];

    public int Waiting => Volatile.Read(ref _waiting);

    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    public string? Validate(SynthesisRequest request)
    {
        if (request.Voice is { } voice && SpeakerId(voice) is null)
        {
            return _voice.NumSpeakers > 1
                ? $"unknown voice '{voice}'; this model's speakers are {string.Join(", ", _voice.SpeakerIdMap.OrderBy(s => s.Value).Select(s => s.Key))}"
                : $"unknown voice '{voice}'; this Piper voice has one speaker: leave voice out or give one of OpenAI's names ({string.Join(", ", OpenAiVoices)})";
        }

        if (request.Language is { } language && !SpeaksLanguage(language))
        {
            return $"this voice speaks only '{_voice.EspeakVoice}'; leave language out or set it to that";
        }

        foreach (var name in ExtraParameters)
        {
            if (request.Parameters.TryGetValue(name, out var text) && Scale(text) is null)
            {
                return $"{name} must be a number from 0 to 2, got '{text}'";
            }
        }

        return null;
    }

    public async IAsyncEnumerable<float[]> SynthesizeAsync(SynthesisRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        var waiting = true;
        try
        {
            // espeak-ng and the runs block a thread; they run on the pool, never on the caller's (a grain's) turn.
            var sentences = await Task.Run(() => PiperSentences.Join(Espeak.Clauses(request.Text, _voice.EspeakVoice)), cancellationToken).ConfigureAwait(false);
            var sid = request.Voice is { } voice ? SpeakerId(voice) ?? 0 : 0;
            float[] scales =
            [
                Override(request, "noise_scale") ?? _voice.NoiseScale,
                (float)(_voice.LengthScale / request.Speed),
                Override(request, "noise_w") ?? _voice.NoiseW,
            ];
            for (var i = 0; i < sentences.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (ids, missing) = PiperPhonemeIds.From(sentences[i], _voice.PhonemeIdMap);
                if (missing > 0)
                {
                    LogMissingPhonemes(_logger, _model, missing);
                }

                var (index, count) = (i, sentences.Count);
                var samples = await Task.Run(() => Run(ids, sid, scales, index, count), cancellationToken).ConfigureAwait(false);
                if (waiting)
                {
                    waiting = false;
                    Interlocked.Decrement(ref _waiting);
                }

                yield return samples;
            }
        }
        finally
        {
            if (waiting)
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _session.Dispose();
        return ValueTask.CompletedTask;
    }

    private float[] Run(long[] ids, long sid, float[] scales, int index, int count)
    {
        // Started with its tags, so a listener sees which sentence begins when it begins.
        using var span = GrainServeActivities.Source.HasListeners()
            ? GrainServeActivities.Source.StartActivity(TelemetryNames.SentenceSpan, ActivityKind.Internal, parentContext: default,
                tags: [new(TelemetryNames.ModelName, _model), new(TelemetryNames.SentenceIndex, index), new(TelemetryNames.SentenceCount, count)])
            : null;
        var started = Stopwatch.GetTimestamp();
        var inputs = new List<NamedOnnxValue>(4)
        {
            NamedOnnxValue.CreateFromTensor(PiperModelInputs.Input, new DenseTensor<long>(ids, [1, ids.Length])),
            NamedOnnxValue.CreateFromTensor(PiperModelInputs.InputLengths, new DenseTensor<long>(new[] { (long)ids.Length }, [1])),
            NamedOnnxValue.CreateFromTensor(PiperModelInputs.Scales, new DenseTensor<float>(scales, [3])),
        };
        if (_inputs.HasSpeakerId)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor(PiperModelInputs.SpeakerId, new DenseTensor<long>(new[] { sid }, [1])));
        }

        using var results = _session.Run(inputs, [_inputs.Output]);
        var samples = results[0].AsTensor<float>().ToArray();
        Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
        return samples;
    }

    private long? SpeakerId(string voice)
    {
        if (_voice.NumSpeakers <= 1)
        {
            return OpenAiVoices.Contains(voice, StringComparer.OrdinalIgnoreCase) ? 0 : null;
        }

        return _voice.SpeakerIdMap.TryGetValue(voice, out var id) ? id : null;
    }

    // "en-us" is spoken for "en-us", "en_US" and "en"; the voice's own espeak name always is.
    private bool SpeaksLanguage(string language)
    {
        var own = _voice.EspeakVoice.Replace('_', '-');
        var asked = language.Replace('_', '-');
        return string.Equals(own, asked, StringComparison.OrdinalIgnoreCase)
            || string.Equals(own.Split('-')[0], asked, StringComparison.OrdinalIgnoreCase);
    }

    private static float? Override(SynthesisRequest request, string name) =>
        request.Parameters.TryGetValue(name, out var text) ? Scale(text) : null;

    private static float? Scale(string text) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 2 ? value : null;

    [LoggerMessage(EventId = EventIds.PiperPhonemesMissing, EventName = nameof(EventIds.PiperPhonemesMissing), Level = LogLevel.Debug,
        Message = "Piper voice {Model} has no id for {Missing} phonemes of a sentence; they were skipped, as Piper skips them")]
    private static partial void LogMissingPhonemes(ILogger logger, string model, int missing);
}
