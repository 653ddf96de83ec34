using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Synthesis;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// Serves <c>model_kind: tts_xtts</c>: an XTTS-style version folder (the GPT as the main file with its
/// <c>genai_config.json</c>, the vocoder, the conditioning encoder, the built-in voice's reference WAV and, where there
/// is one, XTTS's <c>vocab.json</c>), text in,
/// 24 kHz audio out as it is generated. An instance is charged its three ONNX files plus its KV pool, which holds
/// every running synthesis's voice state as well as its codes.
/// </summary>
internal sealed partial class XttsProvider(OnnxSessionFactory sessions, TimeProvider time, ILogger<XttsProvider> logger, IGrainFactory? grains = null) : IModelRunnerProvider
{
    private readonly AudioDecoder _audio = new();

    public IReadOnlyList<string> Kinds { get; } = [ModelKinds.TtsXtts];

    public long EstimateBytes(ModelDefinition model, long version)
    {
        var settings = XttsSettings.FromConfig(model.Name, model.Config);
        var folder = Path.GetDirectoryName(model.ModelPath(version))!;
        long Charged(string file) => File.Exists(Path.Combine(folder, file)) ? ModelFiles.ChargedBytes(Path.Combine(folder, file)) : 0;
        return model.ModelBytes(version) + Charged(settings.VocoderFile) + Charged(settings.ConditioningEncoderFile) + settings.Engine.KvCacheBytes;
    }

    public IInstanceScheduler Create(ModelDefinition model, long version, LocalDevice device)
    {
        var settings = XttsSettings.FromConfig(model.Name, model.Config);
        var gptPath = model.ModelPath(version);
        var folder = Path.GetDirectoryName(gptPath)!;
        string Need(string file) => File.Exists(Path.Combine(folder, file))
            ? Path.Combine(folder, file)
            : throw new ModelLoadException($"model '{model.Name}': no '{file}' in '{folder}' (an XTTS-style version folder holds the GPT, {settings.VocoderFile}, {settings.ConditioningEncoderFile} and {settings.DefaultVoiceFile})");

        var vocoderPath = Need(settings.VocoderFile);
        var encoderPath = Need(settings.ConditioningEncoderFile);
        var voicePath = Need(settings.DefaultVoiceFile);
        var disposables = new List<IDisposable>();
        try
        {
            var gptSession = sessions.Create(gptPath, model.Name, version, device);
            disposables.Add(gptSession);
            var versionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var vocoderSession = sessions.Create(vocoderPath, model.Name, version, device);
            disposables.Add(vocoderSession);
            var encoderSession = sessions.Create(encoderPath, model.Name, version, device);
            disposables.Add(encoderSession);
            var xtts = Load(model.Name, settings, gptSession, vocoderSession, encoderSession, folder, gptPath, File.ReadAllBytes(voicePath), _audio, time, disposables, grains);
            LogLoaded(logger, model.Name, versionText, xtts.Gpt.Layout.Layers.Count, xtts.Gpt.Layout.HiddenSize, settings.Engine.KvCacheBytes);
            return new XttsInstance(new SynthesisInstance(EffectiveConfig(model), versionText, new XttsSynthesizer(xtts), time), versionText, xtts, _audio);
        }
        catch (ArgumentException ex)
        {
            disposables.ForEach(d => d.Dispose());
            throw new ModelLoadException($"model '{model.Name}': {ex.Message}", ex);
        }
        catch
        {
            disposables.ForEach(d => d.Dispose());
            throw;
        }
    }

    /// <summary>
    /// Builds the model over open sessions, encoding the built-in voice from its reference audio. On failure the caller
    /// disposes <paramref name="disposables"/>, where the GPT's step model replaces its session once it owns it. Shared
    /// with the tests, which open their sessions themselves.
    /// </summary>
    internal static XttsModel Load(
        string name, XttsSettings settings, InferenceSession gptSession, InferenceSession vocoderSession, InferenceSession encoderSession,
        string folder, string gptPath, byte[] defaultVoiceWav, AudioDecoder audio, TimeProvider time, List<IDisposable> disposables, IGrainFactory? grains = null)
    {
        var layout = DecoderLayout.Read(gptSession, folder, gptPath);
        if (!layout.IsEncoderDecoder || layout.HiddenStates is null)
        {
            throw new ModelLoadException($"model '{name}': '{gptPath}' needs the voice's cross-attention inputs and a hidden_states output to be an XTTS-style GPT");
        }

        var gpt = new OnnxDecoderStepModel(gptSession, layout);
        disposables.Remove(gptSession);
        disposables.Add(gpt);
        var vocoder = new XttsVocoder(vocoderSession, settings.VocoderFile);
        var encoder = new XttsConditioningEncoder(encoderSession, layout, settings.ConditioningEncoderFile);
        if (vocoder.Hidden != layout.HiddenSize)
        {
            throw new ModelLoadException($"model '{name}': the vocoder takes latents of {vocoder.Hidden}, the GPT's hidden states are {layout.HiddenSize} wide");
        }

        var tokenizerPath = Path.Combine(folder, settings.TokenizerFile);
        var tokenizer = File.Exists(tokenizerPath) ? XttsBpeTokenizer.Load(tokenizerPath) : null;
        if (tokenizer is not null && settings.TextTokenOffset + tokenizer.MaxId >= layout.VocabularySize)
        {
            throw new ModelLoadException($"model '{name}': '{settings.TokenizerFile}' has ids up to {tokenizer.MaxId}, which from text_token_offset {settings.TextTokenOffset} pass the GPT's {layout.VocabularySize} embeddings");
        }

        var reference = audio.DecodeAsync(defaultVoiceWav, AudioLimits.Default).GetAwaiter().GetResult();
        var builtIn = encoder.Encode(reference.Samples);
        return new XttsModel(name, settings, gpt, vocoder, encoder, builtIn, time, grains, tokenizer);
    }

    // What the V2 metadata routes show: the text in, the audio and its rate out, no batch dimension.
    private static ModelConfig EffectiveConfig(ModelDefinition model) => PipelineConfigs.Effective(
        model,
        [new ModelTensorConfig { Name = "text", DataType = "TYPE_STRING", Dims = [1] }],
        [
            new ModelTensorConfig { Name = SynthesisInstance.AudioOutput, DataType = "TYPE_FP32", Dims = [-1] },
            new ModelTensorConfig { Name = SynthesisInstance.AudioInt16Output, DataType = "TYPE_INT16", Dims = [-1] },
            new ModelTensorConfig { Name = SynthesisInstance.SampleRateOutput, DataType = "TYPE_INT32", Dims = [1] },
        ]);

    [LoggerMessage(EventId = EventIds.XttsInstanceLoaded, EventName = nameof(EventIds.XttsInstanceLoaded), Level = LogLevel.Information, Message = "Loaded XTTS model {Model} version {Version}: {Layers} GPT layers, latents {Hidden} wide, KV pool {KvCacheBytes} bytes")]
    private static partial void LogLoaded(ILogger logger, string model, string version, int layers, int hidden, long kvCacheBytes);
}
