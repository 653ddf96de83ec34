using System.Diagnostics;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The vocoder's session (XTTS's <c>HifiDecoder</c>): latents <c>[1, T, hidden]</c> and the speaker embedding
/// <c>[1, 512, 1]</c> to <c>wav</c> <c>[1, 1, T × hop]</c>. Thread-safe; each synthesis runs its own decodes.
/// </summary>
internal sealed class XttsVocoder : IDisposable
{
    private readonly InferenceSession _session;
    private long _computeTicks;

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
    }

    /// <summary>Width of one latent.</summary>
    public int Hidden { get; }

    /// <summary>Width of the speaker embedding.</summary>
    public int SpeakerSize { get; }

    /// <summary>Time spent decoding so far.</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    /// <summary>Decodes <paramref name="count"/> latents (<c>[count, hidden]</c> row-major) into samples.</summary>
    public float[] Decode(float[] latents, int count, float[] speaker)
    {
        if (count == 0)
        {
            return [];
        }

        var started = Stopwatch.GetTimestamp();
        using var latentInput = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, latents.AsMemory(0, count * Hidden), [1, count, Hidden]);
        using var speakerInput = OrtValue.CreateTensorValueFromMemory(speaker, [1, SpeakerSize, 1]);
        using var options = new RunOptions();
        using var results = _session.Run(options, ["latents", "speaker_embedding"], [latentInput, speakerInput], ["wav"]);
        var wav = results[0].GetTensorDataAsSpan<float>().ToArray();
        Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
        return wav;
    }

    public void Dispose() => _session.Dispose();
}
