using System.Diagnostics;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The vocoder's session (XTTS's <c>HifiDecoder</c>): latents <c>[1, T, hidden]</c> and the speaker embedding
/// <c>[1, 512, 1]</c> to <c>wav</c> <c>[1, 1, T × hop]</c>, or a batch of equal-length windows at once where the graph's
/// batch dimension is not fixed. Thread-safe; <see cref="XttsVocoderBatcher"/> gathers the syntheses' windows into batches.
/// </summary>
internal sealed class XttsVocoder : IDisposable
{
    private readonly InferenceSession _session;
    private long _computeTicks;
    private long _runs;

    /// <exception cref="ModelLoadException">The graph lacks <c>latents</c>, <c>speaker_embedding</c> or <c>wav</c>.</exception>
    public XttsVocoder(InferenceSession session, string source)
    {
        _session = session;
        if (!session.InputMetadata.TryGetValue("latents", out var latents) || latents.Dimensions.Length != 3 || latents.Dimensions[2] <= 0
            || !session.InputMetadata.TryGetValue("speaker_embedding", out var speaker) || speaker.Dimensions.Length != 3 || speaker.Dimensions[1] <= 0
            || !session.OutputMetadata.ContainsKey("wav"))
        {
            throw new ModelLoadException($"vocoder '{source}': expected inputs latents [1, T, hidden] and speaker_embedding [1, size, 1] and output wav, got {string.Join(", ", session.InputMetadata.Keys)} → {string.Join(", ", session.OutputMetadata.Keys)}");
        }

        Hidden = latents.Dimensions[2];
        SpeakerSize = speaker.Dimensions[1];
        // An export with a fixed batch of one (or any fixed size) takes only that; a dynamic one (-1) takes any.
        MaxBatch = latents.Dimensions[0] > 0 ? 1 : int.MaxValue;
    }

    /// <summary>Windows one run may take: 1 where the graph fixes its batch dimension.</summary>
    public int MaxBatch { get; }

    /// <summary>Runs so far (a batched run counts once).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Width of one latent.</summary>
    public int Hidden { get; }

    /// <summary>Width of the speaker embedding.</summary>
    public int SpeakerSize { get; }

    /// <summary>Time spent decoding so far.</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    /// <summary>
    /// Decodes <paramref name="batch"/> windows of <paramref name="length"/> latents each (<c>[batch, length, hidden]</c>
    /// row-major) with their speaker embeddings (<c>[batch, size]</c>) in one run; one array of samples per window.
    /// </summary>
    public float[][] Decode(float[] latents, int batch, int length, float[] speakers)
    {
        var started = Stopwatch.GetTimestamp();
        using var latentInput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, latents.AsMemory(0, batch * length * Hidden), [batch, length, Hidden]);
        using var speakerInput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, speakers.AsMemory(0, batch * SpeakerSize), [batch, SpeakerSize, 1]);
        using var options = new RunOptions();
        using var results = _session.Run(options, ["latents", "speaker_embedding"], [latentInput, speakerInput], ["wav"]);
        var wav = results[0].GetTensorDataAsSpan<float>();
        var each = wav.Length / batch;
        var split = new float[batch][];
        for (var b = 0; b < batch; b++)
        {
            split[b] = wav.Slice(b * each, each).ToArray();
        }

        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
        return split;
    }

    public void Dispose() => _session.Dispose();
}
