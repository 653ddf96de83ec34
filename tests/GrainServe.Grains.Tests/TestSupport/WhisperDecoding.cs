using GrainServe.ModelBuilder.Whisper;

namespace GrainServe.TestSupport;

/// <summary>Decoding loops over a <see cref="WhisperStepper"/> that batch rows of different lengths, and their comparisons.</summary>
internal static class WhisperDecoding
{
    // Greedy decoding of right-padded prompts, each with its own audio: the tokens each row picks, and the smallest gap
    // between a pick's logit and the runner-up's.
    public static (int[][] Tokens, double Margin) Greedy(WhisperStepper stepper, int[][] prompts, WhisperStepper.Kv[] audio, int steps)
    {
        var batch = prompts.Length;
        var width = prompts.Max(p => p.Length);
        var ids = new int[batch * width];
        var mask = new int[batch * width];
        var positions = new int[batch * width];
        for (var r = 0; r < batch; r++)
        {
            Array.Fill(ids, WhisperModel.EndOfText, r * width, width);
            prompts[r].CopyTo(ids, r * width);
            Array.Fill(mask, 1, r * width, prompts[r].Length);
            Enumerable.Range(0, prompts[r].Length).ToArray().CopyTo(positions, r * width);
        }

        var cross = WhisperStepper.Kv.Stack(audio);
        var result = stepper.Run(batch, ids, mask, positions, 0, WhisperStepper.Kv.Empty(stepper.Dims.DecoderLayers), cross);
        var picked = prompts.Select(_ => new List<int>()).ToArray();
        var margin = double.MaxValue;
        for (var step = 0; step < steps; step++)
        {
            var seq = step == 0 ? width : 1;
            for (var r = 0; r < batch; r++)
            {
                var row = result.Logits.AsSpan((r * seq + (step == 0 ? prompts[r].Length - 1 : 0)) * stepper.Dims.Vocab, stepper.Dims.Vocab);
                var best = 0;
                for (var i = 1; i < row.Length; i++)
                {
                    best = row[i] > row[best] ? i : best;
                }

                var runnerUp = float.MinValue;
                for (var i = 0; i < row.Length; i++)
                {
                    runnerUp = i != best && row[i] > runnerUp ? row[i] : runnerUp;
                }

                margin = Math.Min(margin, row[best] - runnerUp);
                picked[r].Add(best);
            }

            var total = width + step;
            mask = Enumerable.Range(0, batch).SelectMany(r => mask.Skip(r * total).Take(total).Append(1)).ToArray();
            result = stepper.Run(
                batch, picked.Select(p => p[^1]).ToArray(), mask, prompts.Select(p => p.Length + step).ToArray(), total, result.Present, cross);
        }

        return (picked.Select(p => p.ToArray()).ToArray(), margin);
    }

    // Row 1 of a batch of rows of 2, 4 and `longest` of `tokens`, padded to `longest`, against the 4-token row alone: the
    // prompt step, then `steps` one-token steps whose past carries the padding (the other rows' audio is random).
    // The max |logit difference| of each step, and the prompt step's max |logit|.
    public static (double[] Differences, double Largest) BatchedAgainstAlone(WhisperStepper stepper, int[] tokens, WhisperStepper.Kv cross, bool leftPadding, int longest, int steps)
    {
        int[] lengths = [2, 4, longest];
        var width = longest;
        var empty = WhisperStepper.Kv.Empty(stepper.Dims.DecoderLayers);
        var ids = new int[3 * width];
        var mask = new int[3 * width];
        var positions = new int[3 * width];
        for (var r = 0; r < 3; r++)
        {
            var offset = leftPadding ? width - lengths[r] : 0;
            Array.Fill(ids, WhisperModel.EndOfText, r * width, width);
            for (var j = 0; j < lengths[r]; j++)
            {
                ids[r * width + offset + j] = tokens[j];
                mask[r * width + offset + j] = 1;
                positions[r * width + offset + j] = j;
            }
        }

        var alone = stepper.Run(1, tokens[..4], [1, 1, 1, 1], [0, 1, 2, 3], 0, empty, cross);
        var batchCross = WhisperStepper.Kv.Stack(RandomKv(stepper.Dims, 1), cross, RandomKv(stepper.Dims, 2));
        var batched = stepper.Run(3, ids, mask, positions, 0, empty, batchCross);
        var rowStart = (width + (leftPadding ? width - 4 : 0)) * stepper.Dims.Vocab;
        var differences = new List<double> { MaxDifference(alone.Logits, batched.Logits.AsSpan(rowStart, 4 * stepper.Dims.Vocab)) };
        var largest = (double)alone.Logits.Max(Math.Abs);
        for (var step = 0; step < steps; step++)
        {
            var total = width + step;
            alone = stepper.Run(1, [tokens[4 + step]], Enumerable.Repeat(1, 5 + step).ToArray(), [4 + step], 4 + step, alone.Present, cross);
            mask = Enumerable.Range(0, 3).SelectMany(r => mask.Skip(r * total).Take(total).Append(1)).ToArray();
            batched = stepper.Run(
                3, lengths.Select(n => tokens[n + step]).ToArray(), mask, lengths.Select(n => n + step).ToArray(), total, batched.Present, batchCross);
            differences.Add(MaxDifference(alone.Logits, batched.Logits.AsSpan(stepper.Dims.Vocab, stepper.Dims.Vocab)));
        }

        return ([.. differences], largest);
    }

    public static WhisperStepper.Kv RandomKv(WhisperDims dims, int seed)
    {
        var random = new Random(seed);
        float[] Tensor() => Enumerable.Range(0, dims.Heads * dims.AudioPositions * dims.HeadSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new WhisperStepper.Kv(
            Enumerable.Range(0, dims.DecoderLayers).Select(_ => Tensor()).ToArray(),
            Enumerable.Range(0, dims.DecoderLayers).Select(_ => Tensor()).ToArray());
    }

    public static double MaxDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        return worst;
    }
}
