using GrainServe.Generation;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

/// <summary>The decoder step model's cross-attention weights as a sequence's sink receives them: its own rows, batched or alone.</summary>
public sealed class CrossAttentionWeightsTests
{
    [Fact]
    public async Task Run_DecodeBatchedWithAnotherSequence_DeliversTheSameWeightsAsAlone()
    {
        await using var model = WhisperTestModel.Model();
        var step = model.Decoder;
        var random = new Random(4);
        CrossAttentionState Encode() => model.Encoder.Encode([.. Enumerable.Range(0, model.Encoder.MelBins * WhisperEncoder.WindowFrames).Select(_ => (float)(random.NextDouble() - 0.5))]);
        var audio = Encode();
        var other = Encode();
        int[] prompt = [50257, 50362, 1000, 2000];
        var batched = new Sink();
        var alone = new Sink();
        var otherBatched = new Sink();
        var otherAlone = new Sink();

        // Sequences 1 and 2 (of different lengths: their decode runs padded, in one run), and each again alone as 3 and 4.
        step.Run([new StepEntry(1, prompt, 0, true, audio, batched), new StepEntry(2, new[] { 50257, 50362 }, 0, true, other, otherBatched)]);
        step.Run([new StepEntry(3, prompt, 0, true, audio, alone)]);
        step.Run([new StepEntry(4, new[] { 50257, 50362 }, 0, true, other, otherAlone)]);
        step.Run([new StepEntry(1, new[] { 300 }, 4, true, audio, batched), new StepEntry(2, new[] { 400 }, 2, true, other, otherBatched)]);
        step.Run([new StepEntry(3, new[] { 300 }, 4, true, audio, alone)]);
        step.Run([new StepEntry(4, new[] { 400 }, 2, true, other, otherAlone)]);

        Assert.Equal([(0, 4), (4, 1)], batched.Calls.Select(c => (c.Start, c.Count)));
        Assert.Equal([(0, 2), (2, 1)], otherBatched.Calls.Select(c => (c.Start, c.Count)));
        foreach (var (b, a) in new[] { (batched, alone), (otherBatched, otherAlone) })
        {
            Assert.Equal(a.Calls.Select(c => (c.Start, c.Count)), b.Calls.Select(c => (c.Start, c.Count)));
            for (var call = 0; call < 2; call++)
            {
                var (mine, reference) = (b.Calls[call].Outputs, a.Calls[call].Outputs);
                Assert.Equal(model.Decoder.Layout.CrossAttentionWeights, mine.Select(o => o.Name));
                Assert.All(mine, o => Assert.Equal([model.Decoder.Layout.KvHeads, b.Calls[call].Count, 1500], o.Shape));
                for (var layer = 0; layer < mine.Count; layer++)
                {
                    Assert.True(WhisperDecoding.MaxDifference(reference[layer].Data, mine[layer].Data) < 1e-4, $"call {call}, layer {layer}");
                }
            }
        }

        step.Release(1);
        step.Release(2);
        step.Release(3);
        step.Release(4);
    }

    private sealed class Sink : IStepOutputSink
    {
        public List<(int Start, int Count, List<StepOutput> Outputs)> Calls { get; } = [];

        public void Receive(int start, int count, IReadOnlyList<StepOutput> outputs) =>
            Calls.Add((start, count, outputs.Select(o => o with { Data = [.. o.Data] }).ToList()));
    }
}
