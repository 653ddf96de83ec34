using System.Runtime.InteropServices;
using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Onnx;
using GrainServe.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// A one-layer decoder with Optimum / onnxruntime-genai I/O, built in the test: int64 <c>input_ids</c>,
/// <c>attention_mask</c> and <c>position_ids</c>, <c>past_key_values.0.key</c> / <c>.value</c> and
/// <c>present.0.key</c> / <c>.value</c> <c>[batch, 2, seq, 4]</c>, <c>logits</c> <c>[batch, seq, 32]</c>. Its attention
/// is the textbook one: token plus learned position embeddings, q·kᵀ/√d with a causal mask in padded coordinates
/// (query j of a chunk of N over T keys sees keys ≤ T − N + j) and'ed with the attention mask, then softmax·v, a
/// residual and the output projection. Random weights, seeded, so the same graph every time.
/// </summary>
internal static class TinyOptimumDecoder
{
    public const int Heads = 2;
    public const int HeadSize = 4;
    public const int Vocabulary = 32;
    public const int Context = 64;
    private const int Hidden = Heads * HeadSize;

    public const string Config = """
        { "model": { "type": "llama", "vocab_size": 32, "context_length": 64, "eos_token_id": [1, 2], "bos_token_id": 1,
          "decoder": { "filename": "model.onnx", "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2, "head_size": 4, "hidden_size": 8,
            "inputs": { "input_ids": "input_ids", "attention_mask": "attention_mask", "position_ids": "position_ids",
              "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value" },
            "outputs": { "logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value" } } } }
        """;

    /// <summary>Writes model.onnx and genai_config.json into a temporary folder.</summary>
    public static TempRepository Write(bool float16Kv = false)
    {
        var repository = new TempRepository().File(GenAiConfig.FileName, Config);
        File.WriteAllBytes(Path.Combine(repository.Root, "model.onnx"), Graph(float16Kv));
        return repository;
    }

    /// <summary>The graph; with <paramref name="float16Kv"/> its past and present are float16 (cast to and from float32 inside).</summary>
    public static byte[] Graph(bool float16Kv = false)
    {
        var random = new Random(11);
        byte[] Weights(int count, double scale)
        {
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
            }

            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }

        static byte[] Longs(params long[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        static AttributeProto Perm(params long[] axes) => OnnxGraphBuilder.IntsAttribute("perm", axes);

        var kvType = float16Kv ? "FP16" : "FP32";
        var graph = new OnnxGraphBuilder("tiny_optimum_decoder")
            .Input("input_ids", "INT64", -1, -1)
            .Input("attention_mask", "INT64", -1, -1)
            .Input("position_ids", "INT64", -1, -1)
            .Input("past_key_values.0.key", kvType, -1, Heads, -1, HeadSize)
            .Input("past_key_values.0.value", kvType, -1, Heads, -1, HeadSize)
            .Output("logits", "FP32", -1, -1, Vocabulary)
            .Output("present.0.key", kvType, -1, Heads, -1, HeadSize)
            .Output("present.0.value", kvType, -1, Heads, -1, HeadSize)
            .Initializer("embed", "FP32", [Vocabulary, Hidden], Weights(Vocabulary * Hidden, 1))
            .Initializer("positions", "FP32", [Context, Hidden], Weights(Context * Hidden, 1))
            .Initializer("wq", "FP32", [Hidden, Hidden], Weights(Hidden * Hidden, 1))
            .Initializer("wk", "FP32", [Hidden, Hidden], Weights(Hidden * Hidden, 1))
            .Initializer("wv", "FP32", [Hidden, Hidden], Weights(Hidden * Hidden, 1))
            .Initializer("wout", "FP32", [Hidden, Vocabulary], Weights(Hidden * Vocabulary, 1))
            .Initializer("scale", "FP32", [], BitConverter.GetBytes(1 / MathF.Sqrt(HeadSize)))
            .Initializer("masked", "FP32", [], BitConverter.GetBytes(-1e9f))
            .Initializer("split_heads", "INT64", [4], Longs(0, 0, Heads, HeadSize))
            .Initializer("merge_heads", "INT64", [3], Longs(0, 0, Hidden))
            .Initializer("zero", "INT64", [], Longs(0))
            .Initializer("one", "INT64", [], Longs(1))
            .Initializer("axis1", "INT64", [1], Longs(1))
            .Initializer("axes12", "INT64", [2], Longs(1, 2))
            .Node("Gather", ["embed", "input_ids"], ["tok"])
            .Node("Gather", ["positions", "position_ids"], ["pos"])
            .Node("Add", ["tok", "pos"], ["x"]);
        foreach (var (name, weight) in new[] { ("q", "wq"), ("k", "wk"), ("v", "wv") })
        {
            graph.Node("MatMul", ["x", weight], [$"{name}_flat"])
                .Node("Reshape", [$"{name}_flat", "split_heads"], [$"{name}_split"])
                .Node("Transpose", [$"{name}_split"], [name], Perm(0, 2, 1, 3));
        }

        string key = "present.0.key", value = "present.0.value";
        if (float16Kv)
        {
            // Attention runs on the float16-rounded keys and values, as a float16 cache would give it.
            (key, value) = ("key_all", "value_all");
            foreach (var name in new[] { "k", "v" })
            {
                graph.Node("Cast", [name], [$"{name}_half"], OnnxGraphBuilder.IntAttribute("to", 10))
                    .Node("Concat", [$"past_key_values.0.{(name == "k" ? "key" : "value")}", $"{name}_half"], [$"present.0.{(name == "k" ? "key" : "value")}"], OnnxGraphBuilder.IntAttribute("axis", 2))
                    .Node("Cast", [$"present.0.{(name == "k" ? "key" : "value")}"], [name == "k" ? key : value], OnnxGraphBuilder.IntAttribute("to", 1));
            }
        }
        else
        {
            graph.Node("Concat", ["past_key_values.0.key", "k"], ["present.0.key"], OnnxGraphBuilder.IntAttribute("axis", 2))
                .Node("Concat", ["past_key_values.0.value", "v"], ["present.0.value"], OnnxGraphBuilder.IntAttribute("axis", 2));
        }

        return graph
            .Node("Transpose", [key], ["k_t"], Perm(0, 1, 3, 2))
            .Node("MatMul", ["q", "k_t"], ["scores_raw"])
            .Node("Mul", ["scores_raw", "scale"], ["scores"])
            .Node("Shape", ["input_ids"], ["ids_shape"])
            .Node("Gather", ["ids_shape", "one"], ["new_length"])
            .Node("Shape", ["attention_mask"], ["mask_shape"])
            .Node("Gather", ["mask_shape", "one"], ["total_length"])
            .Node("Sub", ["total_length", "new_length"], ["past_length"])
            .Node("Range", ["zero", "new_length", "one"], ["query_index"])
            .Node("Add", ["query_index", "past_length"], ["query_position"])
            .Node("Unsqueeze", ["query_position", "axis1"], ["query_column"])
            .Node("Range", ["zero", "total_length", "one"], ["key_position"])
            .Node("LessOrEqual", ["key_position", "query_column"], ["causal"])
            .Node("Cast", ["attention_mask"], ["mask_bool"], OnnxGraphBuilder.IntAttribute("to", 9))
            .Node("Unsqueeze", ["mask_bool", "axes12"], ["mask_rows"])
            .Node("And", ["causal", "mask_rows"], ["allowed"])
            .Node("Where", ["allowed", "scores", "masked"], ["scores_masked"])
            .Node("Softmax", ["scores_masked"], ["weights"], OnnxGraphBuilder.IntAttribute("axis", -1))
            .Node("MatMul", ["weights", value], ["context_heads"])
            .Node("Transpose", ["context_heads"], ["context_split"], Perm(0, 2, 1, 3))
            .Node("Reshape", ["context_split", "merge_heads"], ["context"])
            .Node("Add", ["x", "context"], ["h"])
            .Node("MatMul", ["h", "wout"], ["logits"])
            .ToBytes();
    }
}
