using System.Runtime.InteropServices;
using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// The pieces the Whisper encoder and decoder share, over one <see cref="OnnxGraphBuilder"/>: weights, pre-norm
/// blocks' LayerNorm, GELU and linear layers, and the split into heads and back. Every value is named by a prefix the
/// caller owns, so names never collide across layers.
/// </summary>
internal sealed class WhisperGraph(WhisperDims dims, IWhisperWeightSource weights, string name)
{
    /// <summary>LayerNorm's epsilon, as Whisper's <c>nn.LayerNorm</c> default.</summary>
    public const float LayerNormEpsilon = 1e-5f;

    public OnnxGraphBuilder G { get; } = new(name);

    public WhisperDims Dims => dims;

    public IWhisperWeightSource Weights => weights;

    /// <summary>Initializers every graph uses: axes and shapes for heads, the attention scale.</summary>
    public void Constants()
    {
        Int64s("heads_shape", 0, 0, dims.Heads, dims.HeadSize);
        Int64s("merge_shape", 0, 0, dims.Heads * dims.HeadSize);
        // Whisper scales q and k by head_size^-0.25 each; one 1/√head_size on the product is the same, and exact
        // (a power of two) for head size 64.
        Floats("score_scale", (float)(1 / Math.Sqrt(dims.HeadSize)));
    }

    /// <summary><c>x · W (+ b)</c> with <c>W [rows, cols]</c> from the weight source.</summary>
    public string Linear(string x, string prefix, int rows, int cols, bool bias = true)
    {
        var w = Weight(prefix + "_weight", weights.Matrix(rows, cols), rows, cols);
        G.Node("MatMul", [x, w], [bias ? prefix + "_mm" : prefix]);
        if (bias)
        {
            G.Node("Add", [prefix + "_mm", Weight(prefix + "_bias", weights.Bias(cols), cols)], [prefix]);
        }

        return prefix;
    }

    /// <summary>ONNX's LayerNormalization over the last axis, with scale and bias from the weight source.</summary>
    public string LayerNorm(string x, string prefix)
    {
        var scale = Weight(prefix + "_scale", weights.NormScale(dims.Hidden), dims.Hidden);
        var bias = Weight(prefix + "_bias", weights.NormBias(dims.Hidden), dims.Hidden);
        G.Node("LayerNormalization", [x, scale, bias], [prefix], IntAttribute("axis", -1), FloatAttribute("epsilon", LayerNormEpsilon));
        return prefix;
    }

    /// <summary>The exact (erf) GELU of Whisper's <c>nn.GELU()</c>: <c>0.5·x·(1 + erf(x/√2))</c>.</summary>
    public string Gelu(string x, string prefix)
    {
        G.Node("Mul", [x, "gelu_inv_sqrt2"], [prefix + "_scaled"])
            .Node("Erf", [prefix + "_scaled"], [prefix + "_erf"])
            .Node("Add", [prefix + "_erf", "gelu_one"], [prefix + "_erf1"])
            .Node("Mul", [x, prefix + "_erf1"], [prefix + "_x_erf1"])
            .Node("Mul", [prefix + "_x_erf1", "gelu_half"], [prefix]);
        return prefix;
    }

    /// <summary>The GELU constants; call once per graph before <see cref="Gelu"/>.</summary>
    public void GeluConstants()
    {
        Floats("gelu_inv_sqrt2", (float)(1 / Math.Sqrt(2)));
        Floats("gelu_one", 1f);
        Floats("gelu_half", 0.5f);
    }

    /// <summary>The pre-norm feed-forward half of a block: <c>h + fc2(gelu(fc1(ln(h))))</c>.</summary>
    public string Mlp(string h, string prefix)
    {
        var n = LayerNorm(h, prefix + "mlp_ln");
        var up = Linear(n, prefix + "fc1", dims.Hidden, dims.Ffn);
        var down = Linear(Gelu(up, prefix + "gelu"), prefix + "fc2", dims.Ffn, dims.Hidden);
        G.Node("Add", [h, down], [prefix + "h_mlp"]);
        return prefix + "h_mlp";
    }

    /// <summary><c>[batch, seq, heads · head]</c> to <c>[batch, heads, seq, head]</c>, into <paramref name="output"/>.</summary>
    public string Heads(string x, string output)
    {
        G.Node("Reshape", [x, "heads_shape"], [output + "_split"])
            .Node("Transpose", [output + "_split"], [output], IntsAttribute("perm", 0, 2, 1, 3));
        return output;
    }

    /// <summary>
    /// Scaled dot-product attention of <c>q [batch, heads, seq, head]</c> over <c>k, v [batch, heads, keys, head]</c>,
    /// merged back to <c>[batch, seq, hidden]</c>. <paramref name="scores"/> names the pre-softmax scores (an output of
    /// the graph, or internal); <paramref name="allowed"/>, when set, masks them first.
    /// </summary>
    public string Attention(string q, string k, string v, string prefix, string scores, string? allowed)
    {
        G.Node("Transpose", [k], [prefix + "k_t"], IntsAttribute("perm", 0, 1, 3, 2))
            .Node("MatMul", [q, prefix + "k_t"], [prefix + "scores_raw"])
            .Node("Mul", [prefix + "scores_raw", "score_scale"], [scores]);
        var softmaxIn = scores;
        if (allowed is not null)
        {
            G.Node("Where", [allowed, scores, "masked"], [prefix + "scores_masked"]);
            softmaxIn = prefix + "scores_masked";
        }

        G.Node("Softmax", [softmaxIn], [prefix + "probs"], IntAttribute("axis", -1))
            .Node("MatMul", [prefix + "probs", v], [prefix + "context"])
            .Node("Transpose", [prefix + "context"], [prefix + "context_t"], IntsAttribute("perm", 0, 2, 1, 3))
            .Node("Reshape", [prefix + "context_t", "merge_shape"], [prefix + "attention"]);
        return prefix + "attention";
    }

    /// <summary>An FP32 weight: the initializer itself, or INT8 cast to FP32 and scaled.</summary>
    public string Weight(string weightName, LlamaTensor tensor, params long[] shape)
    {
        if (tensor.Values is { } values)
        {
            G.Initializer(weightName, "FP32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            return weightName;
        }

        G.Initializer(weightName + "_int8", "INT8", shape, MemoryMarshal.AsBytes(tensor.Quantized.AsSpan()).ToArray())
            .Node("Cast", [weightName + "_int8"], [weightName + "_cast"], IntAttribute("to", 1));
        Floats(weightName + "_step", tensor.Scale);
        G.Node("Mul", [weightName + "_cast", weightName + "_step"], [weightName]);
        return weightName;
    }

    public void Int64s(string initializer, params long[] values) =>
        G.Initializer(initializer, "INT64", [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public void Int64Scalar(string initializer, long value) => G.Initializer(initializer, "INT64", [], BitConverter.GetBytes(value));

    public void Int32s(string initializer, params int[] values) =>
        G.Initializer(initializer, "INT32", [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public void Floats(string initializer, params float[] values) =>
        G.Initializer(initializer, "FP32", values.Length == 1 ? [] : [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public void FloatMatrix(string initializer, float[] values, params long[] shape) =>
        G.Initializer(initializer, "FP32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
