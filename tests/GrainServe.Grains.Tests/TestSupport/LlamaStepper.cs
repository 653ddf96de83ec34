using Microsoft.ML.OnnxRuntime;

namespace GrainServe.TestSupport;

/// <summary>
/// Runs decoder steps the way a continuous-batching engine does: each row's cache is left-padded to the longest
/// past and its new tokens right-padded to the longest step, attention_mask 0 on padding, true position ids.
/// </summary>
internal sealed class LlamaStepper(InferenceSession session, int layers, int kvHeads, int headSize, int vocab)
{
    public const long PadToken = 50256;

    /// <summary>One row's cache per layer (<c>[kv_heads, length, head_size]</c>) and its tokens for this step.</summary>
    public sealed record Row(float[][] Keys, float[][] Values, int PastLength, long[] NewTokens)
    {
        public static Row First(int layers, long[] tokens) =>
            new(Enumerable.Range(0, layers).Select(_ => Array.Empty<float>()).ToArray(),
                Enumerable.Range(0, layers).Select(_ => Array.Empty<float>()).ToArray(), 0, tokens);
    }

    /// <summary>Logits of each new token, and the row's cache after the step.</summary>
    public sealed record Result(float[][] Logits, float[][] Keys, float[][] Values, int Length)
    {
        public Row Next(long token) => new(Keys, Values, Length, [token]);
    }

    public Result[] Step(IReadOnlyList<Row> rows)
    {
        var batch = rows.Count;
        var past = rows.Max(r => r.PastLength);
        var seq = rows.Max(r => r.NewTokens.Length);
        var total = past + seq;
        var ids = Enumerable.Repeat(PadToken, batch * seq).ToArray();
        var mask = new long[batch * total];
        var positions = new long[batch * seq];
        for (var r = 0; r < batch; r++)
        {
            var row = rows[r];
            for (var k = past - row.PastLength; k < past; k++)
            {
                mask[r * total + k] = 1;
            }

            for (var j = 0; j < row.NewTokens.Length; j++)
            {
                ids[r * seq + j] = row.NewTokens[j];
                mask[r * total + past + j] = 1;
                positions[r * seq + j] = row.PastLength + j;
            }
        }

        var names = new List<string> { "input_ids", "attention_mask", "position_ids" };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]),
            OrtValue.CreateTensorValueFromMemory(mask, [batch, total]),
            OrtValue.CreateTensorValueFromMemory(positions, [batch, seq]),
        };
        var outputs = new List<string> { "logits" };
        for (var l = 0; l < layers; l++)
        {
            names.Add($"past_key_values.{l}.key");
            values.Add(Past(rows, l, past, keys: true));
            names.Add($"past_key_values.{l}.value");
            values.Add(Past(rows, l, past, keys: false));
            outputs.Add($"present.{l}.key");
            outputs.Add($"present.{l}.value");
        }

        try
        {
            using var run = new RunOptions();
            using var results = session.Run(run, names, values, outputs);
            var logits = results[0].GetTensorDataAsSpan<float>();
            var answer = new Result[batch];
            for (var r = 0; r < batch; r++)
            {
                var row = rows[r];
                var length = row.PastLength + row.NewTokens.Length;
                var rowLogits = new float[row.NewTokens.Length][];
                for (var j = 0; j < rowLogits.Length; j++)
                {
                    rowLogits[j] = logits.Slice((r * seq + j) * vocab, vocab).ToArray();
                }

                var keys = new float[layers][];
                var vals = new float[layers][];
                for (var l = 0; l < layers; l++)
                {
                    keys[l] = Present(results[1 + 2 * l].GetTensorDataAsSpan<float>(), r, total, past - row.PastLength, length);
                    vals[l] = Present(results[2 + 2 * l].GetTensorDataAsSpan<float>(), r, total, past - row.PastLength, length);
                }

                answer[r] = new Result(rowLogits, keys, vals, length);
            }

            return answer;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private OrtValue Past(IReadOnlyList<Row> rows, int layer, int past, bool keys)
    {
        var data = new float[rows.Count * kvHeads * past * headSize];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var source = keys ? row.Keys[layer] : row.Values[layer];
            for (var h = 0; h < kvHeads; h++)
            {
                source.AsSpan(h * row.PastLength * headSize, row.PastLength * headSize)
                    .CopyTo(data.AsSpan(((r * kvHeads + h) * past + past - row.PastLength) * headSize));
            }
        }

        return OrtValue.CreateTensorValueFromMemory(data, [rows.Count, kvHeads, past, headSize]);
    }

    // The row's valid stretch of a present tensor [batch, kv_heads, total, head], as [kv_heads, length, head].
    private float[] Present(ReadOnlySpan<float> present, int row, int total, int start, int length)
    {
        var cache = new float[kvHeads * length * headSize];
        for (var h = 0; h < kvHeads; h++)
        {
            present.Slice(((row * kvHeads + h) * total + start) * headSize, length * headSize)
                .CopyTo(cache.AsSpan(h * length * headSize));
        }

        return cache;
    }
}
