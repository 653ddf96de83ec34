using GrainServe.Generation;
using GrainServe.ModelBuilder.Whisper;
using Built = GrainServe.ModelBuilder.Whisper.WhisperModel;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Whisper;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.TestSupport;

/// <summary>
/// A small Whisper-shaped model (whisper-tiny.en's vocabulary and audio shapes, two narrow layers) built into a temporary
/// folder in onnxruntime-genai's layout and loaded as the Whisper provider loads it, so tests drive the real pipeline:
/// audio decoding, log-mel, encoder, the generation engine, Whisper's decoding rules and the transcription loop.
/// </summary>
internal static class WhisperTestModel
{
    /// <summary>Two encoder and two decoder layers of width 64; real tiny.en vocabulary, mel bins, positions and context.</summary>
    public static WhisperDims Dims { get; } = new(2, 2, 64, 2, 32, 128, 80, 1500, 448, 51864);

    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"grainserve-whisper-test-{Environment.ProcessId}");
        Built.Write(folder, Dims, WhisperWeights.RandomFloat);
        return folder;
    });

    // The same model (the same seed) in Optimum's layouts.
    private static readonly Dictionary<WhisperLayout, Lazy<string>> OptimumFolders = new[] { WhisperLayout.OptimumMerged, WhisperLayout.OptimumSplit }.ToDictionary(
        layout => layout,
        layout => new Lazy<string>(() =>
        {
            var folder = Path.Combine(Path.GetTempPath(), $"grainserve-whisper-test-{layout}-{Environment.ProcessId}");
            OptimumWhisperModel.Write(folder, Dims, layout, WhisperWeights.RandomFloat);
            return folder;
        }));

    /// <summary>The model's version folder in <paramref name="layout"/>.</summary>
    public static string FolderOf(WhisperLayout layout) => layout == WhisperLayout.GenAi ? Folder.Value : OptimumFolders[layout].Value;

    /// <summary>Loads a fresh instance of the model in Optimum's <paramref name="layout"/>, as the provider opens it.</summary>
    public static WhisperInstance OptimumInstance(WhisperLayout layout, int maxNumSeqs = 8, long kvCacheBytes = 256L << 20)
    {
        var folder = FolderOf(layout);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        var (decoder, encoder) = WhisperExport.Open(
            path => new InferenceSession(path, options),
            Path.Combine(folder, OptimumWhisperModel.DecoderFile(layout)),
            Path.Combine(folder, OptimumWhisperModel.EncoderFile));
        var tokenizer = WhisperTokenizer.Load(folder, decoder.Layout.VocabularySize);
        var engine = new EngineOptions { KvCacheBytes = kvCacheBytes, MaxNumSeqs = maxNumSeqs, MaxNumBatchedTokens = 2048 };
        var model = new Speech.Whisper.WhisperModel("whisper_test", encoder, decoder, tokenizer, engine, TimeProvider.System);
        return new WhisperInstance(new Models.ModelConfig { Name = "whisper_test" }, "1", model, new AudioDecoder(), AudioLimits.Default, TimeProvider.System);
    }

    /// <summary>The model's version folder.</summary>
    public static string Path0 => Folder.Value;

    /// <summary>Loads a fresh instance of the model with an engine of <paramref name="maxNumSeqs"/> sequences.</summary>
    /// <param name="maxNumSeqs">The engine's most sequences.</param>
    /// <param name="kvCacheBytes">The engine's KV pool.</param>
    /// <param name="crossAttentionWeights">False reads the decoder as an export without <c>output_cross_qk_{i}</c>, as genai's own are.</param>
    /// <param name="vad">The voice activity detector, for <c>vad_filter</c>; null for none.</param>
    public static WhisperInstance Instance(int maxNumSeqs = 8, long kvCacheBytes = 256L << 20, bool crossAttentionWeights = true, Speech.Audio.Vad.VoiceActivity? vad = null) =>
        Instance(Model(maxNumSeqs, kvCacheBytes, crossAttentionWeights), vad);

    /// <summary>An instance over a model loaded here (<see cref="Model"/>), for tests that read its engine.</summary>
    public static WhisperInstance Instance(Speech.Whisper.WhisperModel model, Speech.Audio.Vad.VoiceActivity? vad = null) =>
        new(new Models.ModelConfig { Name = "whisper_test" }, "1", model, new AudioDecoder(), AudioLimits.Default, TimeProvider.System, vad: vad);

    /// <summary>Loads the model itself (encoder, decoder on its engine, tokenizer), for tests that drive the transcriber directly.</summary>
    /// <param name="maxNumSeqs">The engine's most sequences.</param>
    /// <param name="kvCacheBytes">The engine's KV pool.</param>
    /// <param name="crossAttentionWeights">False reads the decoder as an export without <c>output_cross_qk_{i}</c>.</param>
    /// <param name="forkBeams">False makes beam search prefill every beam's prefix instead of forking its parent's cache.</param>
    public static Speech.Whisper.WhisperModel Model(int maxNumSeqs = 8, long kvCacheBytes = 256L << 20, bool crossAttentionWeights = true, bool forkBeams = true)
    {
        var folder = Folder.Value;
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        var decoderSession = new InferenceSession(Path.Combine(folder, Built.DecoderFile), options);
        var outputs = decoderSession.OutputMetadata.Where(o => crossAttentionWeights || !o.Key.StartsWith("output_cross_qk_", StringComparison.Ordinal)).ToDictionary();
        var layout = DecoderLayout.Read(decoderSession.InputMetadata, outputs, GenAiConfig.TryLoad(folder), folder);
        var decoder = new OnnxDecoderStepModel(decoderSession, layout);
        var encoder = new Speech.Whisper.WhisperEncoder(new InferenceSession(Path.Combine(folder, Built.EncoderFile), options), GenAiConfig.TryLoad(folder), layout, "test");
        var tokenizer = WhisperTokenizer.Load(folder, layout.VocabularySize);
        var engine = new EngineOptions { KvCacheBytes = kvCacheBytes, MaxNumSeqs = maxNumSeqs, MaxNumBatchedTokens = 2048 };
        return new Speech.Whisper.WhisperModel("whisper_test", encoder, decoder, tokenizer, engine, TimeProvider.System) { ForkBeams = forkBeams };
    }
}
