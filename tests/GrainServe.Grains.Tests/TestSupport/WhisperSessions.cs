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

        var random = new Random(11);
        var features = new float[dims.MelBins * dims.Frames];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)(random.NextDouble() * 2 - 1);
        }

        using var input = OrtValue.CreateTensorValueFromMemory(features, [1, dims.MelBins, dims.Frames]);
        using var run = new RunOptions();
        using var results = Encoder.Run(run, ["audio_features"], [input], Encoder.OutputNames);
        HiddenStates = results[0].GetTensorDataAsSpan<float>().ToArray();
        Cross = new WhisperStepper.Kv(
            Enumerable.Range(0, dims.DecoderLayers).Select(l => results[1 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray(),
            Enumerable.Range(0, dims.DecoderLayers).Select(l => results[2 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray());
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

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
    }
}
