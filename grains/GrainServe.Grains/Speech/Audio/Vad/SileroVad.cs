using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Speech.Audio.Vad;

/// <summary>
/// Silero VAD v5 (<c>silero_vad_v5.onnx</c>): the speech probability of each 32 ms window of 16 kHz audio, as silero's
/// <c>OnnxWrapper</c> computes it: each window of 512 samples is given the 64 samples before it as context, and the
/// recurrent state carries from window to window, starting from zeros for each recording. Always on the CPU: the model
/// is 2 MB and a window takes microseconds, so it never takes a device's memory or turn. One session serves every
/// recording at once (each call keeps its own state).
/// </summary>
internal sealed class SileroVad : IDisposable
{
    /// <summary>Samples per window at 16 kHz, as the model takes them.</summary>
    public const int WindowSamples = 512;

    /// <summary>Samples of the previous window prepended to each window.</summary>
    public const int ContextSamples = 64;

    private const int StateSize = 128;

    private readonly InferenceSession _session;

    private SileroVad(InferenceSession session) => _session = session;

    /// <summary>The file's path, for messages.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Loads the model at <paramref name="path"/>. Throws <see cref="InvalidDataException"/> when it is not Silero VAD v5
    /// (inputs <c>input</c>, <c>state</c>, <c>sr</c>; outputs <c>output</c>, <c>stateN</c>).
    /// </summary>
    public static SileroVad Load(string path)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        var session = new InferenceSession(path, options);
        string[] inputs = ["input", "state", "sr"], outputs = ["output", "stateN"];
        if (!inputs.All(session.InputMetadata.ContainsKey) || !outputs.All(session.OutputMetadata.ContainsKey))
        {
            var found = string.Join(", ", session.InputMetadata.Keys);
            session.Dispose();
            throw new InvalidDataException($"'{path}' is not Silero VAD v5: it takes {found}, not input, state and sr");
        }

        return new SileroVad(session) { Path = path };
    }

    /// <summary>One speech probability per window of <paramref name="samples"/> (16 kHz mono), the last window zero-padded.</summary>
    public float[] SpeechProbabilities(ReadOnlySpan<float> samples, CancellationToken cancellationToken = default)
    {
        var windows = (samples.Length + WindowSamples - 1) / WindowSamples;
        var probabilities = new float[windows];
        var input = new DenseTensor<float>([1, ContextSamples + WindowSamples]);
        var state = new DenseTensor<float>([2, 1, StateSize]);
        var rate = new DenseTensor<long>(new long[] { 16000 }, []);
        var buffer = input.Buffer.Span;
        for (var w = 0; w < windows; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The context is the last 64 samples of the window before (zeros before the first).
            buffer[WindowSamples..].CopyTo(buffer[..ContextSamples]);
            var start = w * WindowSamples;
            var length = Math.Min(WindowSamples, samples.Length - start);
            samples.Slice(start, length).CopyTo(buffer[ContextSamples..]);
            buffer[(ContextSamples + length)..].Clear();

            using var results = _session.Run(
            [
                NamedOnnxValue.CreateFromTensor("input", input),
                NamedOnnxValue.CreateFromTensor("state", state),
                NamedOnnxValue.CreateFromTensor("sr", rate),
            ]);
            foreach (var result in results)
            {
                if (result.Name == "output")
                {
                    probabilities[w] = result.AsTensor<float>().GetValue(0);
                }
                else if (result.Name == "stateN")
                {
                    var next = result.AsTensor<float>();
                    for (var i = 0; i < 2 * StateSize; i++)
                    {
                        state.SetValue(i, next.GetValue(i));
                    }
                }
            }
        }

        return probabilities;
    }

    public void Dispose() => _session.Dispose();
}
