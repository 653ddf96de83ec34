using GrainServe.ModelBuilder.Whisper;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.TestSupport;

/// <summary>
/// Runs a <see cref="WhisperDecoder"/> session on a batch the caller lays out: ids, mask and positions row-major, past
/// and cross tensors per layer as one <c>[batch, heads, len, head]</c> array each.
/// </summary>
internal sealed class WhisperStepper(InferenceSession decoder, WhisperDims dims)
{
    public WhisperDims Dims => dims;

    public Result Run(int batch, int[] ids, int[] mask, int[] positions, int past, Kv self, Kv cross)
    {
        var seq = ids.Length / batch;
        var names = new List<string> { "input_ids", "attention_mask", "position_ids" };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]),
            OrtValue.CreateTensorValueFromMemory(mask, [batch, mask.Length / batch]),
            OrtValue.CreateTensorValueFromMemory(positions, [batch, seq]),
        };
        var outputs = new List<string> { "logits" };
        for (var l = 0; l < dims.DecoderLayers; l++)
        {
            names.AddRange([$"past_key_self_{l}", $"past_value_self_{l}", $"past_key_cross_{l}", $"past_value_cross_{l}"]);
            values.Add(OrtValue.CreateTensorValueFromMemory(self.Keys[l], [batch, dims.Heads, past, dims.HeadSize]));
            values.Add(OrtValue.CreateTensorValueFromMemory(self.Values[l], [batch, dims.Heads, past, dims.HeadSize]));
            values.Add(OrtValue.CreateTensorValueFromMemory(cross.Keys[l], [batch, dims.Heads, dims.AudioPositions, dims.HeadSize]));
            values.Add(OrtValue.CreateTensorValueFromMemory(cross.Values[l], [batch, dims.Heads, dims.AudioPositions, dims.HeadSize]));
            outputs.AddRange([$"present_key_self_{l}", $"present_value_self_{l}"]);
        }

        outputs.AddRange(Enumerable.Range(0, dims.DecoderLayers).Select(l => $"output_cross_qk_{l}"));
        try
        {
            using var run = new RunOptions();
            using var results = decoder.Run(run, names, values, outputs);
            var layers = dims.DecoderLayers;
            return new Result(
                results[0].GetTensorDataAsSpan<float>().ToArray(),
                results[0].GetTensorTypeAndShape().Shape,
                new Kv(
                    Enumerable.Range(0, layers).Select(l => results[1 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray(),
                    Enumerable.Range(0, layers).Select(l => results[2 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray()),
                Enumerable.Range(0, layers).Select(l => results[1 + 2 * layers + l].GetTensorDataAsSpan<float>().ToArray()).ToArray(),
                results[1 + 2 * layers].GetTensorTypeAndShape().Shape);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Keys and values per layer, each <c>[batch, heads, len, head]</c> row-major.</summary>
    public sealed record Kv(float[][] Keys, float[][] Values)
    {
        public static Kv Empty(int layers) => new(
            Enumerable.Range(0, layers).Select(_ => Array.Empty<float>()).ToArray(),
            Enumerable.Range(0, layers).Select(_ => Array.Empty<float>()).ToArray());

        /// <summary>The rows' tensors stacked along the batch axis.</summary>
        public static Kv Stack(params Kv[] rows) => new(
            Enumerable.Range(0, rows[0].Keys.Length).Select(l => rows.SelectMany(r => r.Keys[l]).ToArray()).ToArray(),
            Enumerable.Range(0, rows[0].Keys.Length).Select(l => rows.SelectMany(r => r.Values[l]).ToArray()).ToArray());
    }

    /// <summary>One call's outputs, each row-major, with the shapes of logits and of the cross scores.</summary>
    public sealed record Result(float[] Logits, long[] LogitsShape, Kv Present, float[][] CrossQk, long[] CrossQkShape);
}
