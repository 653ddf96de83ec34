using GrainServe.Generation;
using GrainServe.ModelBuilder.Xtts;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Synthesis;
using GrainServe.Speech.Xtts;
using Microsoft.ML.OnnxRuntime;
using Built = GrainServe.ModelBuilder.Xtts.XttsModel;

namespace GrainServe.TestSupport;

/// <summary>
/// The XTTS-style sample (<see cref="XttsDims.Small"/>, random weights) built into a temporary folder and loaded as the
/// provider loads it, so tests drive the real pipeline: conditioning encoder, the GPT on the generation engine, the
/// vocoder and the streaming crossfade.
/// </summary>
internal static class XttsTestModel
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"grainserve-xtts-test-{Environment.ProcessId}");
        Built.Write(folder, XttsDims.Small);
        return folder;
    });

    /// <summary>The model's version folder.</summary>
    public static string Path0 => Folder.Value;

    /// <summary>
    /// Loads a fresh synthesizer with an engine of <paramref name="maxNumSeqs"/> sequences, its vocoder run over windows
    /// of <paramref name="vocoderContext"/> latents of left context as the sample's config says (0: over every latent).
    /// </summary>
    public static XttsSynthesizer Synthesizer(int maxNumSeqs = 8, int vocoderContext = 2)
    {
        var folder = Folder.Value;
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        var dims = XttsDims.Small;
        var settings = new XttsSettings
        {
            Engine = new EngineOptions { KvCacheBytes = 64L << 20, MaxNumSeqs = maxNumSeqs, MaxNumBatchedTokens = 2048 },
            AudioCodes = dims.AudioCodes,
            StartAudioToken = dims.StartAudioToken,
            StopAudioToken = dims.StopAudioToken,
            TextTokenOffset = dims.TextTokenOffset,
            HopLength = dims.HopLength,
            VocoderContext = vocoderContext,
        };
        var gptPath = Path.Combine(folder, Built.GptFile);
        var model = XttsProvider.Load(
            "xtts_test",
            settings,
            new InferenceSession(gptPath, options),
            new InferenceSession(Path.Combine(folder, Built.VocoderFile), options),
            new InferenceSession(Path.Combine(folder, Built.ConditioningEncoderFile), options),
            folder,
            gptPath,
            File.ReadAllBytes(Path.Combine(folder, Built.DefaultVoiceFile)),
            new AudioDecoder(),
            TimeProvider.System,
            []);
        return new XttsSynthesizer(model);
    }

    /// <summary>A fresh model behind its V2 instance.</summary>
    public static XttsInstance Instance(int maxNumSeqs = 8)
    {
        var synthesizer = Synthesizer(maxNumSeqs);
        var speech = new SynthesisInstance(new Models.ModelConfig { Name = "xtts_test" }, "1", synthesizer, TimeProvider.System);
        return new XttsInstance(speech, "1", synthesizer.Model, new AudioDecoder());
    }
}
