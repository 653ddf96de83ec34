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
}
