using GrainServe.ModelBuilder.Whisper;

namespace GrainServe.ModelBuilder;

/// <summary>
/// The graphs of the sample repository and of the tests: tiny models whose answers are easy to check.
/// </summary>
public static class SampleModels
{
    /// <summary>
    /// Triton's classic "simple" model: <c>OUTPUT0 = INPUT0 + INPUT1</c>, <c>OUTPUT1 = INPUT0 - INPUT1</c>,
    /// all of shape <c>[batch, width]</c>.
    /// </summary>
    public static byte[] AddSub(string datatype, long width) =>
        new OnnxGraphBuilder("add_sub")
            .Input("INPUT0", datatype, -1, width)
            .Input("INPUT1", datatype, -1, width)
            .Output("OUTPUT0", datatype, -1, width)
            .Output("OUTPUT1", datatype, -1, width)
            .Node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"])
            .Node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"])
            .ToBytes();

    /// <summary><c>OUTPUT0 = INPUT0</c> for any shape of rank <paramref name="rank"/>.</summary>
    public static byte[] Identity(string datatype, int rank = 2) =>
        new OnnxGraphBuilder("identity")
            .Input("INPUT0", datatype, Enumerable.Repeat(-1L, rank).ToArray())
            .Output("OUTPUT0", datatype, Enumerable.Repeat(-1L, rank).ToArray())
            .Node("Identity", ["INPUT0"], ["OUTPUT0"])
            .ToBytes();

    /// <summary>
    /// <c>OUTPUT0 = INPUT0 * scale</c> for FP32 <c>[batch, width]</c>; versions of a test model differ by scale.
    /// </summary>
    public static byte[] Scale(long width, float scale) =>
        new OnnxGraphBuilder("scale")
            .Input("INPUT0", "FP32", -1, width)
            .Output("OUTPUT0", "FP32", -1, width)
            .Initializer("SCALE", "FP32", [1], BitConverter.GetBytes(scale))
            .Node("Mul", ["INPUT0", "SCALE"], ["OUTPUT0"])
            .ToBytes();

    /// <summary>
    /// A compute-bound encoder for benchmarks: <c>layers</c> residual feed-forward blocks
    /// (<c>x += relu(x·W1 + b1)·W2</c>, hidden → ffn → hidden) over <c>[batch, sequence, hidden]</c> FP32 token
    /// states, then the mean over the sequence: an embedding-sized output <c>[batch, hidden]</c>. Weights are
    /// seeded random numbers scaled to keep activations bounded, so the same arguments give the same file.
    /// </summary>
    public static byte[] Encoder(int layers, int sequence, int hidden, int ffn, int seed = 7)
    {
        var random = new Random(seed);
        byte[] Weights(int count, double scale)
        {
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
            }

            return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }

        var graph = new OnnxGraphBuilder("encoder")
            .Input("INPUT0", "FP32", -1, sequence, hidden)
            .Output("OUTPUT0", "FP32", -1, hidden);
        var x = "INPUT0";
        for (var l = 0; l < layers; l++)
        {
            graph.Initializer($"W1_{l}", "FP32", [hidden, ffn], Weights(hidden * ffn, 1 / Math.Sqrt(hidden)))
                .Initializer($"B1_{l}", "FP32", [ffn], Weights(ffn, 0.01))
                .Initializer($"W2_{l}", "FP32", [ffn, hidden], Weights(ffn * hidden, 1 / Math.Sqrt(ffn)))
                .Node("MatMul", [x, $"W1_{l}"], [$"h{l}"])
                .Node("Add", [$"h{l}", $"B1_{l}"], [$"hb{l}"])
                .Node("Relu", [$"hb{l}"], [$"r{l}"])
                .Node("MatMul", [$"r{l}", $"W2_{l}"], [$"o{l}"])
                .Node("Add", [x, $"o{l}"], [$"x{l}"]);
            x = $"x{l}";
        }

        return graph
            .Node("ReduceMean", [x], ["OUTPUT0"], OnnxGraphBuilder.IntsAttribute("axes", 1), OnnxGraphBuilder.IntAttribute("keepdims", 0))
            .ToBytes();
    }

    /// <summary>
    /// Writes the <c>whisper_tiny</c> sample (<see cref="SampleRepository.WhisperTinyFiles"/>) into the repository at
    /// <paramref name="repositoryRoot"/>, in <paramref name="layout"/>, and returns its model folder.
    /// </summary>
    public static string WhisperTiny(string repositoryRoot, WhisperWeights weights = WhisperWeights.RandomFloat, WhisperLayout layout = WhisperLayout.GenAi)
    {
        SampleRepository.Write(repositoryRoot, SampleRepository.WhisperTinyFiles(weights, layout));
        return Path.Combine(repositoryRoot, SampleRepository.WhisperTinyName);
    }
}
