using System.Diagnostics;
using GrainServe.ModelBuilder.Whisper;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.TestSupport;

/// <summary>
/// A Whisper encoder and decoder built by the ModelBuilder, loaded on the CPU with one thread, and the encoder's answer
/// to one seeded segment of audio features in [-1, 1] (the range of Whisper's normalized log-mels).
/// </summary>
internal sealed class WhisperSessions : IDisposable
{
    private readonly WhisperDims _dims;

    public WhisperSessions(WhisperDims dims, WhisperWeights weights)
    {
        var stopwatch = Stopwatch.StartNew();
        var encoder = WhisperEncoder.Build(dims, weights);
        var decoder = WhisperDecoder.Build(dims, weights);
        BuildTime = stopwatch.Elapsed;
        (EncoderBytes, DecoderBytes) = (encoder.Length, decoder.Length);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        Encoder = new InferenceSession(encoder, options);
        Decoder = new InferenceSession(decoder, options);
        Stepper = new WhisperStepper(Decoder, dims);

        _dims = dims;
        Features = SeededFeatures(dims, seed: 11);
        (HiddenStates, Cross) = Encode(Features, 1);
    }

    public TimeSpan BuildTime { get; }

    public long EncoderBytes { get; }

    public long DecoderBytes { get; }

    public InferenceSession Encoder { get; }

    public InferenceSession Decoder { get; }

    public WhisperStepper Stepper { get; }

    /// <summary><c>encoder_hidden_states</c> of the seeded segment, <c>[positions, hidden]</c>.</summary>
    public float[] HiddenStates { get; }

    /// <summary>The seeded segment's cross keys and values, one batch row.</summary>
    public WhisperStepper.Kv Cross { get; }

    /// <summary>The seeded segment's <c>audio_features</c>, <c>[mel_bins, frames]</c>.</summary>
    public float[] Features { get; }

    /// <summary>Seeded audio features of one segment, uniform in [-1, 1].</summary>
    public static float[] SeededFeatures(WhisperDims dims, int seed)
    {
        var random = new Random(seed);
        var features = new float[dims.MelBins * dims.Frames];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return features;
    }

    /// <summary>Runs the encoder on <paramref name="batch"/> segments laid end to end.</summary>
    public (float[] HiddenStates, WhisperStepper.Kv Cross) Encode(float[] features, int batch)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(features, [batch, _dims.MelBins, _dims.Frames]);
        using var run = new RunOptions();
        using var results = Encoder.Run(run, ["audio_features"], [input], Encoder.OutputNames);
        return (
            results[0].GetTensorDataAsSpan<float>().ToArray(),
            new WhisperStepper.Kv(
                Enumerable.Range(0, _dims.DecoderLayers).Select(l => results[1 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray(),
                Enumerable.Range(0, _dims.DecoderLayers).Select(l => results[2 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray()));
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
    }
}
