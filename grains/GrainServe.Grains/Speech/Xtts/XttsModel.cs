using GrainServe.Generation;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// One loaded XTTS-style model: its GPT on a generation engine shared by every synthesis of the instance, the vocoder,
/// the conditioning encoder, the id layout and the voices. Owns them all.
/// </summary>
internal sealed class XttsModel : IAsyncDisposable
{
    private readonly GenerationMetrics.Registration _metrics;

    /// <remarks>The engine's figures go to vLLM's metric names under the model's name (each synthesis is one request there).</remarks>
    public XttsModel(string name, XttsSettings settings, OnnxDecoderStepModel gpt, XttsVocoder vocoder, XttsConditioningEncoder encoder, XttsVoice builtInVoice, TimeProvider time, IGrainFactory? grains = null, XttsBpeTokenizer? tokenizer = null)
    {
        Name = name;
        Settings = settings;
        Gpt = gpt;
        Vocoder = vocoder;
        VocoderBatcher = new XttsVocoderBatcher(vocoder, settings.VocoderMaxBatch);
        Encoder = encoder;
        Tokens = new XttsTokens(settings, tokenizer);
        Codes = new AudioCodeFilter(settings.AudioCodes, settings.StopAudioToken);
        Voices = new XttsVoices(builtInVoice, name, grains);
        _metrics = GenerationMetrics.Register(name);
        try
        {
            Engine = new GenerationEngine(gpt, Tokens, settings.Engine, time, _metrics);
        }
        catch
        {
            _metrics.Dispose();
            VocoderBatcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        _metrics.Start(Engine.Snapshot);
    }

    public string Name { get; }

    public XttsSettings Settings { get; }

    public OnnxDecoderStepModel Gpt { get; }

    public XttsVocoder Vocoder { get; }

    /// <summary>Runs <see cref="Vocoder"/> for every synthesis of the instance, batching their windows.</summary>
    public XttsVocoderBatcher VocoderBatcher { get; }

    public XttsConditioningEncoder Encoder { get; }

    public XttsTokens Tokens { get; }

    public AudioCodeFilter Codes { get; }

    public XttsVoices Voices { get; }

    public GenerationEngine Engine { get; }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await VocoderBatcher.DisposeAsync();
        _metrics.Dispose();
        Gpt.Dispose();
        Vocoder.Dispose();
        Encoder.Dispose();
    }
}
