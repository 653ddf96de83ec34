using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Audio.Vad;
using Microsoft.Extensions.Logging;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Serves <c>model_kind: whisper</c>: a Whisper encoder-decoder export in onnxruntime-genai's layout (the version folder
/// holds <c>genai_config.json</c>, the encoder and the decoder) or Hugging Face Optimum's (<c>encoder_model.onnx</c> and
/// <c>decoder_model_merged.onnx</c>, or <c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c>, with Hugging
/// Face's <c>config.json</c>; see <see cref="WhisperExport"/>), and the tokenizer files or none for an English-only
/// model, audio in, text out. An instance is charged its ONNX files plus its KV pool, which holds every running
/// window's cross-attention state as well as its tokens.
/// </summary>
internal sealed partial class WhisperProvider(OnnxSessionFactory sessions, TimeProvider time, ILogger<WhisperProvider> logger, LocalDeviceCatalog? catalog = null) : IModelRunnerProvider
{
    private readonly AudioDecoder _audio = new();

    // One detector per file for the process: it is small, stateless between calls, and shared by every Whisper model.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<VoiceActivity>> _vads = new();

    public IReadOnlyList<string> Kinds { get; } = [ModelKinds.Whisper];

    public long EstimateBytes(ModelDefinition model, long version)
    {
        var settings = WhisperSettings.FromConfig(model.Name, model.Config);
        var encoder = EncoderPath(model, version, settings);
        var decoders = WhisperExport.DecoderFiles(model.ModelPath(version)).Sum(path => File.Exists(path) ? ModelFiles.ChargedBytes(path) : 0);
        return decoders + (File.Exists(encoder) ? ModelFiles.ChargedBytes(encoder) : 0) + settings.Engine.KvCacheBytes;
    }

    public IInstanceScheduler Create(ModelDefinition model, long version, LocalDevice device)
    {
        var settings = WhisperSettings.FromConfig(model.Name, model.Config);
        var decoderPath = model.ModelPath(version);
        var folder = Path.GetDirectoryName(decoderPath)!;
        var encoderPath = EncoderPath(model, version, settings);
        if (!File.Exists(encoderPath))
        {
            throw new ModelLoadException($"model '{model.Name}': no encoder at '{encoderPath}' (set genai_config.json's model.encoder.filename or parameter encoder_filename)");
        }

        OnnxDecoderStepModel? decoder = null;
        WhisperEncoder? encoder = null;
        try
        {
            (decoder, encoder) = WhisperExport.Open(path => sessions.Create(path, model.Name, version, device), decoderPath, encoderPath);
            var layout = decoder.Layout;
            var tokenizer = WhisperTokenizer.Load(folder, layout.VocabularySize);
            var versionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var heads = AlignmentHeads.Load(folder, layout.Layers.Count, layout.KvHeads);
            var whisper = new WhisperModel(model.Name, encoder, decoder, tokenizer, settings.Engine, time, heads)
            {
                DefaultBeamSize = settings.BeamSize,
                DefaultBestOf = settings.BestOf,
            };
            var limits = new AudioLimits { MaxDurationSeconds = settings.MaxAudioSeconds };
            LogLoaded(logger, model.Name, versionText, encoder.UsesFirstPass ? "Optimum" : "onnxruntime-genai", layout.Layers.Count, encoder.MelBins, tokenizer.IsMultilingual, settings.Engine.KvCacheBytes);
            if (!whisper.HasCrossAttentionWeights)
            {
                // Once per load rather than per request: the 400 tells the client, this tells the operator why.
                LogWordTimestampsUnavailable(logger, model.Name, versionText);
            }

            if (settings.BeamSize is not null || settings.BestOf is not null)
            {
                LogDecodingDefaults(logger, model.Name, versionText, settings.BeamSize ?? 0, settings.BestOf ?? 0);
            }

            var vadPath = settings.VadModel is { } vadModel ? Path.Combine(folder, vadModel) : VoiceActivity.DefaultPath;
            var vad = _vads.GetOrAdd(Path.GetFullPath(vadPath), path => new Lazy<VoiceActivity>(() => VoiceActivity.Load(path))).Value;
            return new WhisperInstance(EffectiveConfig(model), versionText, whisper, _audio, limits, time, catalog?.KeyOf(device) ?? device.DeviceId, vad);
        }
        catch (ModelLoadException ex) when (!ex.Message.StartsWith($"model '{model.Name}'", StringComparison.Ordinal))
        {
            encoder?.Dispose();
            decoder?.Dispose();
            throw new ModelLoadException($"model '{model.Name}': {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            encoder?.Dispose();
            decoder?.Dispose();
            throw new ModelLoadException($"model '{model.Name}': {ex.Message}", ex);
        }
        catch
        {
            encoder?.Dispose();
            decoder?.Dispose();
            throw;
        }
    }

    private static string EncoderPath(ModelDefinition model, long version, WhisperSettings settings)
    {
        var folder = Path.GetDirectoryName(model.ModelPath(version))!;
        var file = settings.EncoderFile ?? GenAiConfig.TryLoad(folder)?.EncoderFileName ?? WhisperSettings.DefaultEncoderFile;
        return Path.Combine(folder, file);
    }

    // What the V2 metadata routes show: the audio file in, the transcript out, no batch dimension.
    private static ModelConfig EffectiveConfig(ModelDefinition model) => PipelineConfigs.Effective(
        model,
        [new ModelTensorConfig { Name = "audio", DataType = "TYPE_STRING", Dims = [1] }],
        [
            new ModelTensorConfig { Name = WhisperInstance.TextOutput, DataType = "TYPE_STRING", Dims = [1] },
            new ModelTensorConfig { Name = WhisperInstance.VerboseJsonOutput, DataType = "TYPE_STRING", Dims = [1] },
        ]);

    [LoggerMessage(EventId = EventIds.WhisperInstanceLoaded, EventName = nameof(EventIds.WhisperInstanceLoaded), Level = LogLevel.Information, Message = "Loaded Whisper model {Model} version {Version} ({Layout} layout): {Layers} decoder layers, {MelBins} mel bins, multilingual {Multilingual}, KV pool {KvCacheBytes} bytes")]
    private static partial void LogLoaded(ILogger logger, string model, string version, string layout, int layers, int melBins, bool multilingual, long kvCacheBytes);

    [LoggerMessage(EventId = EventIds.WhisperWordTimestampsUnavailable, EventName = nameof(EventIds.WhisperWordTimestampsUnavailable), Level = LogLevel.Warning, Message = "Whisper model {Model} version {Version} cannot give word timestamps: its decoder does not output output_cross_qk_{{i}}; requests for them get a 400")]
    private static partial void LogWordTimestampsUnavailable(ILogger logger, string model, string version);

    [LoggerMessage(EventId = EventIds.WhisperDecodingDefaults, EventName = nameof(EventIds.WhisperDecodingDefaults), Level = LogLevel.Information, Message = "Whisper model {Model} version {Version} decodes requests that give none with beam_size {BeamSize} and best_of {BestOf} (0: not set)")]
    private static partial void LogDecodingDefaults(ILogger logger, string model, string version, int beamSize, int bestOf);
}
