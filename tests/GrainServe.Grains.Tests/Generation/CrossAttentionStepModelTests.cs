using GrainServe.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// A Whisper decoder (the ModelBuilder's, in onnxruntime-genai's layout with a mask and positions) as the generation
/// engine's step model: each sequence conditioned on its own cross-attention state, decodes batched whatever their
/// positions, the stacked states kept across steps as sequences leave and join, and every row equal to what the
/// sequence computes alone.
/// </summary>
public sealed class CrossAttentionStepModelTests
{
    private static readonly int[] Prompt = [50257, 50362];

    [Fact]
    public void Run_SequencesJoiningAndLeaving_EachRowMatchesItsSequenceAlone()
    {
        using var batched = Load();
        var states = Enumerable.Range(1, 4).Select(State).ToArray();
        var histories = Enumerable.Range(0, 4).Select(_ => new List<int>()).ToArray();
        var checks = 0;

        void Step(params (int Sequence, int[] Tokens)[] rows)
        {
            var entries = rows.Select(r => new StepEntry(r.Sequence + 1, r.Tokens, histories[r.Sequence].Count, true, states[r.Sequence])).ToList();
            var logits = batched.Run(entries);
            for (var i = 0; i < rows.Length; i++)
            {
                var (sequence, tokens) = rows[i];
                histories[sequence].AddRange(tokens);
                LogitsAssert.Close(Alone([.. histories[sequence]], states[sequence]), logits.Row(i), $"sequence {sequence + 1} after {histories[sequence].Count} tokens");
                checks++;
            }
        }

        // Prefills of different lengths, then decodes of all three together at positions 2, 3 and 1.
        Step((0, Prompt), (1, [.. Prompt, 440]), (2, Prompt[..1]));
        Step((0, [1012]), (1, [1012]), (2, [1012]));
        Step((2, [13]), (0, [13]), (1, [13]));

        // Sequence 1 (slot 0) leaves: the last slot's state moves into its place; then sequence 4 joins.
        batched.Release(1);
        Step((3, Prompt));
        Step((1, [262]), (2, [262]), (3, [262]));
        Step((3, [11]), (1, [11]), (2, [11]));

        Assert.Equal(16, checks);
    }

    [Fact]
    public void Run_WithoutItsEncoderState_FailsTheStepClearly()
    {
        using var model = Load();

        var error = Assert.Throws<InvalidOperationException>(() => model.Run([new StepEntry(1, Prompt, 0, true)]));

        Assert.Contains("cross-attention state", error.Message);
    }

    private static float[] Alone(int[] history, CrossAttentionState state)
    {
        using var model = Load();
        return model.Run([new StepEntry(9, history, 0, true, state)]).Row(0).ToArray();
    }

    private static OnnxDecoderStepModel Load() =>
        OnnxDecoderStepModel.Load(Path.Combine(WhisperTestModel.Path0, GrainServe.ModelBuilder.Whisper.WhisperModel.DecoderFile));

    private static CrossAttentionState State(int seed)
    {
        var dims = WhisperTestModel.Dims;
        var random = new Random(seed);
        float[] Layer() => [.. Enumerable.Range(0, dims.Heads * dims.AudioPositions * dims.HeadSize).Select(_ => (float)(random.NextDouble() - 0.5))];
        var keys = Enumerable.Range(0, dims.DecoderLayers).Select(_ => (Array)Layer()).ToArray();
        var values = Enumerable.Range(0, dims.DecoderLayers).Select(_ => (Array)Layer()).ToArray();
        return new CrossAttentionState(keys, values, dims.AudioPositions);
    }
}
