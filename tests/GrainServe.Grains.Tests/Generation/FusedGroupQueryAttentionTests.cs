using GrainServe.ModelBuilder;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

/// <summary>
/// Decoders with onnxruntime-genai's fused GroupQueryAttention read the past right-padded: the layout finds the
/// operator in the file, and the step model then batches only rows that need no padding, still exactly.
/// </summary>
public sealed class FusedGroupQueryAttentionTests
{
    private static readonly int[] Sequence = Enumerable.Range(0, 40).Select(i => ((i * 7) + 3) % TinyOptimumDecoder.Vocabulary).ToArray();

    [Fact]
    public void Mentions_AGraphWithTheOperator_FindsIt_AndOneWithoutDoesNot()
    {
        var folder = Directory.CreateTempSubdirectory("grainserve-gqa-").FullName;
        try
        {
            var with = Path.Combine(folder, "with.onnx");
            File.WriteAllBytes(with, new OnnxGraphBuilder("gqa").Input("X", "FP32", -1).Output("Y", "FP32", -1).Node("GroupQueryAttention", ["X"], ["Y"]).ToBytes());
            var without = Path.Combine(folder, "without.onnx");
            File.WriteAllBytes(without, TinyOptimumDecoder.Graph());

            Assert.True(OnnxGraphScan.Mentions(with, DecoderLayout.GroupQueryAttentionOperator));
            Assert.False(OnnxGraphScan.Mentions(without, DecoderLayout.GroupQueryAttentionOperator));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData((1 << 20) - 5, true)]
    [InlineData((1 << 20) * 3, true)]
    [InlineData((1 << 20) * 3, false)]
    public void Mentions_ANameAcrossReadsOrPastTheLimit(int offset, bool withinLimit)
    {
        var path = Path.GetTempFileName();
        try
        {
            var bytes = new byte[offset + 64];
            "GroupQueryAttention"u8.CopyTo(bytes.AsSpan(offset));
            File.WriteAllBytes(path, bytes);

            Assert.Equal(withinLimit, OnnxGraphScan.Mentions(path, "GroupQueryAttention", limitBytes: withinLimit ? 64L << 20 : 1L << 20));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_MarkedLayout_BatchesOnlyUnpaddedRowsAndStaysExact()
    {
        using var repository = TinyOptimumDecoder.Write();
        var path = Path.Combine(repository.Root, "model.onnx");
        // The step model owns the session and disposes it.
        var session = new InferenceSession(path);
        var layout = DecoderLayout.Read(session, repository.Root, path);
        Assert.False(layout.FusedGroupQueryAttention);
        Assert.True(layout.PadsRows);

        using var model = new OnnxDecoderStepModel(session, layout.WithFusedGroupQueryAttention());
        Assert.False(model.Layout.PadsRows);
        using var reference = new ReferenceDecoder(path, repository.Root);

        // Two sequences at different positions and one at the same position as the first: three decodes in one step.
        model.Run([new StepEntry(1, Sequence[..6], 0, false), new StepEntry(2, Sequence[10..13], 0, false), new StepEntry(3, Sequence[20..26], 0, false)]);
        var step = model.Run(
        [
            new StepEntry(1, Sequence[6..7], 6, true),
            new StepEntry(2, Sequence[13..14], 3, true),
            new StepEntry(3, Sequence[26..27], 6, true),
        ]);

        LogitsAssert.Close(reference.Logits(Sequence[..7])[6], step.Row(0), "sequence 1");
        LogitsAssert.Close(reference.Logits(Sequence[10..14])[3], step.Row(1), "sequence 2");
        LogitsAssert.Close(reference.Logits(Sequence[20..27])[6], step.Row(2), "sequence 3");
    }
}
