using System.Diagnostics;
using GrainServe.Generation;
using GrainServe.Runtime;
using GrainServe.Speech.Audio;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The conditioning encoder's session: a reference recording (16 kHz mono) to a <see cref="XttsVoice"/>, through the
/// log-mel spectrogram the speech-to-text side computes. Run once per voice; thread-safe (ONNX Runtime's Run is).
/// </summary>
internal sealed class XttsConditioningEncoder : IDisposable
{
    private const string MelInput = "mel";
    private const string LatentsOutput = "conditioning_latents";
    private const string SpeakerOutput = "speaker_embedding";

    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly string[] _outputs;
    private long _computeTicks;

    /// <exception cref="ModelLoadException">The graph lacks the inputs or outputs the GPT's layout needs.</exception>
    public XttsConditioningEncoder(InferenceSession session, DecoderLayout layout, string source)
    {
        _session = session;
        _layout = layout;
        if (!session.InputMetadata.TryGetValue(MelInput, out var mel) || mel.Dimensions.Length != 3 || mel.Dimensions[1] <= 0)
        {
            throw new ModelLoadException($"conditioning encoder '{source}': no input '{MelInput}' [1, mel_bins, frames] with fixed mel bins");
        }

        MelBins = mel.Dimensions[1];
        _outputs = [LatentsOutput, SpeakerOutput, .. Enumerable.Range(0, layout.CrossLayers.Count).SelectMany(i => new[] { $"present_key_cross_{i}", $"present_value_cross_{i}" })];
        if (_outputs.FirstOrDefault(o => !session.OutputMetadata.ContainsKey(o)) is { } missing)
        {
            throw new ModelLoadException($"conditioning encoder '{source}': no output '{missing}' (it has {string.Join(", ", session.OutputMetadata.Keys)})");
        }
    }

    /// <summary>Mel bins of the spectrogram the encoder reads.</summary>
    public int MelBins { get; }

    /// <summary>Time spent encoding so far.</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    /// <summary>Encodes a recording of 16 kHz mono samples into a voice.</summary>
    public XttsVoice Encode(float[] samples16k)
    {
        var started = Stopwatch.GetTimestamp();
        var mel = LogMelSpectrogram.Compute(samples16k, MelFilterbank.For(MelBins));
        var frames = mel.Length / MelBins;
        using var input = OrtValue.CreateTensorValueFromMemory(mel, [1, MelBins, frames]);
        using var options = new RunOptions();
        using var results = _session.Run(options, [MelInput], [input], _outputs);
        float[] Read(int i) => results[i].GetTensorDataAsSpan<float>().ToArray();
        var latents = Read(0);
        var keys = new List<float[]>();
        var values = new List<float[]>();
        for (var layer = 0; layer < _layout.CrossLayers.Count; layer++)
        {
            keys.Add(Read(2 + (2 * layer)));
            values.Add(Read(3 + (2 * layer)));
        }

        var positions = (int)results[0].GetTensorTypeAndShape().Shape[1];
        Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
        return new XttsVoice(latents, Read(1), keys, values, positions);
    }

    public void Dispose() => _session.Dispose();
}
