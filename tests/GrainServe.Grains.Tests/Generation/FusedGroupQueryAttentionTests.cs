using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

/// <summary>
/// Decoders with onnxruntime-genai's fused GroupQueryAttention, built by the model builder and run by ONNX Runtime's
/// CPU kernel: the layout finds the operator in the file; decodes at different positions share one right-padded run,
/// and chunks after a past run alone (the operator refuses them at batch > 1), each row exactly as alone.
/// </summary>
public sealed class FusedGroupQueryAttentionTests
{
    private static readonly int[] Sequence = CodedLlamaRepository.Prompt(40, seed: 3);

    [Fact]
    public void Mentions_AGraphWithTheOperator_FindsIt_AndOneWithoutDoesNot()
    {
        using var fused = CodedLlamaRepository.Write(LlamaAttention.GroupQueryAttention);
        using var standard = CodedLlamaRepository.Write(LlamaAttention.Standard);

        Assert.True(OnnxGraphScan.Mentions(CodedLlamaRepository.ModelPath(fused), DecoderLayout.GroupQueryAttentionOperator));
        Assert.False(OnnxGraphScan.Mentions(CodedLlamaRepository.ModelPath(standard), DecoderLayout.GroupQueryAttentionOperator));
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
    public void Build_GroupQueryAttention_OneContribNodePerLayer_LoadsOnTheCpuAsAFusedLayout()
    {
        var bytes = LlamaDecoder.Build(LlamaDecoderDims.Tiny, LlamaWeights.Coded, attention: LlamaAttention.GroupQueryAttention);
        var model = ModelProto.Parser.ParseFrom(bytes);
        Assert.Contains(model.OpsetImport, o => o.Domain == OnnxGraphBuilder.MicrosoftDomain && o.Version == OnnxGraphBuilder.MicrosoftOpset);
        Assert.Equal(LlamaDecoderDims.Tiny.Layers, model.Graph.Node.Count(n => n.OpType == "GroupQueryAttention" && n.Domain == OnnxGraphBuilder.MicrosoftDomain));
        Assert.Equal(bytes, LlamaDecoder.Build(LlamaDecoderDims.Tiny, LlamaWeights.Coded, attention: LlamaAttention.GroupQueryAttention));

        using var repository = CodedLlamaRepository.Write(LlamaAttention.GroupQueryAttention);
        using var session = new InferenceSession(CodedLlamaRepository.ModelPath(repository));
        using var standard = new InferenceSession(LlamaDecoder.Build(LlamaDecoderDims.Tiny, LlamaWeights.Coded));
        Assert.Equal(standard.InputMetadata.Keys, session.InputMetadata.Keys);
        Assert.Equal(standard.OutputMetadata.Keys, session.OutputMetadata.Keys);

        var layout = DecoderLayout.Read(session, repository.Root, CodedLlamaRepository.ModelPath(repository));
        Assert.True(layout.FusedGroupQueryAttention);
        Assert.True(layout.RightPadsRows);
        Assert.False(layout.PadsRows);
    }

    [Fact]
    public void ContribNode_ADomainAtTwoVersions_Throws()
    {
        var graph = new OnnxGraphBuilder("two_versions").DomainNode("com.example", 1, "Op", ["x"], ["y"]);

        Assert.Throws<ArgumentException>(() => graph.DomainNode("com.example", 2, "Op", ["y"], ["z"]));
        Assert.Throws<ArgumentException>(() => graph.DomainNode("", 1, "Relu", ["y"], ["z"]));
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_DecodesAtDifferentPositions_ShareOneRightPaddedRunAndMatchTheReference(KvBinding kvBinding)
    {
        using var repository = CodedLlamaRepository.Write(LlamaAttention.GroupQueryAttention);
        using var model = CodedLlamaRepository.Load(repository, kvBinding);
        using var reference = new ReferenceDecoder(CodedLlamaRepository.ModelPath(repository), repository.Root);

        // First chunks of 6, 3 and 6 tokens: the two of 6 share a run (no padding), the one of 3 runs apart.
        model.Run([new StepEntry(1, Sequence[..6], 0, false), new StepEntry(2, Sequence[10..13], 0, false), new StepEntry(3, Sequence[20..26], 0, false)]);
        Assert.Equal(2, model.SessionRuns);

        // Decodes with pasts 6, 3 and 6: one run, rows 2's past right-padded from 3 to 6 positions.
        var step = model.Run(
        [
            new StepEntry(1, Sequence[6..7], 6, true),
            new StepEntry(2, Sequence[13..14], 3, true),
            new StepEntry(3, Sequence[26..27], 6, true),
        ]);
        Assert.Equal(3, model.SessionRuns);
        LogitsAssert.Close(reference.Logits(Sequence[..7])[6], step.Row(0), "sequence 1");
        LogitsAssert.Close(reference.Logits(Sequence[10..14])[3], step.Row(1), "sequence 2");
        LogitsAssert.Close(reference.Logits(Sequence[20..27])[6], step.Row(2), "sequence 3");

        // Decodes with pasts 7, 4 and 0 (a one-token prompt) and a new prompt of 5: the decodes in one run, the prompt in another.
        step = model.Run(
        [
            new StepEntry(1, Sequence[7..8], 7, true),
            new StepEntry(2, Sequence[14..15], 4, true),
            new StepEntry(4, Sequence[30..31], 0, true),
            new StepEntry(5, Sequence[32..37], 0, true),
        ]);
        Assert.Equal(5, model.SessionRuns);
        LogitsAssert.Close(reference.Logits(Sequence[..8])[7], step.Row(0), "sequence 1");
        LogitsAssert.Close(reference.Logits(Sequence[10..15])[4], step.Row(1), "sequence 2");
        LogitsAssert.Close(reference.Logits(Sequence[30..31])[0], step.Row(2), "sequence 4");
        LogitsAssert.Close(reference.Logits(Sequence[32..37])[4], step.Row(3), "sequence 5");

        // And the caches they appended (new vectors read from present at each row's own position) carry on exactly.
        step = model.Run([new StepEntry(2, Sequence[15..16], 5, true), new StepEntry(4, Sequence[31..32], 1, true), new StepEntry(1, Sequence[8..9], 8, true)]);
        Assert.Equal(6, model.SessionRuns);
        LogitsAssert.Close(reference.Logits(Sequence[10..16])[5], step.Row(0), "sequence 2");
        LogitsAssert.Close(reference.Logits(Sequence[30..32])[1], step.Row(1), "sequence 4");
        LogitsAssert.Close(reference.Logits(Sequence[..9])[8], step.Row(2), "sequence 1");
    }

    [Fact]
    public void Run_ChunksAfterAPastOfTheSameLength_RunAloneAndMatchTheReference()
    {
        using var repository = CodedLlamaRepository.Write(LlamaAttention.GroupQueryAttention);
        using var model = CodedLlamaRepository.Load(repository);
        using var reference = new ReferenceDecoder(CodedLlamaRepository.ModelPath(repository), repository.Root);

        model.Run([new StepEntry(1, Sequence[..4], 0, false), new StepEntry(2, Sequence[20..24], 0, false)]);
        Assert.Equal(1, model.SessionRuns);

        // Same start and length, which batch unpadded elsewhere; GroupQueryAttention refuses a multi-token chunk after
        // a past at batch 2 ("batch_size must be 1 when sequence_length > 1 and past context is given").
        var step = model.Run([new StepEntry(1, Sequence[4..9], 4, true), new StepEntry(2, Sequence[24..29], 4, true)]);

        Assert.Equal(3, model.SessionRuns);
        LogitsAssert.Close(reference.Logits(Sequence[..9])[8], step.Row(0), "sequence 1");
        LogitsAssert.Close(reference.Logits(Sequence[20..29])[8], step.Row(1), "sequence 2");
    }

    [Fact]
    public void Greedy_FusedAndStandardAttentionOverTheSameWeights_GiveTheSameTokens()
    {
        using var fusedRepository = CodedLlamaRepository.Write(LlamaAttention.GroupQueryAttention);
        using var standardRepository = CodedLlamaRepository.Write(LlamaAttention.Standard);
        using var fused = CodedLlamaRepository.Load(fusedRepository);
        using var standard = CodedLlamaRepository.Load(standardRepository);

        foreach (var length in new[] { 1, 5, 17, 40 })
        {
            var prompt = CodedLlamaRepository.Prompt(length, seed: length);
            var expected = CodedLlamaRepository.GreedyAlone(standard, length, prompt, 24);
            var actual = CodedLlamaRepository.GreedyAlone(fused, length, prompt, 24);

            Assert.Equal(expected.Tokens, actual.Tokens);
            LogitsAssert.Close(expected.Logprobs, actual.Logprobs, $"prompt of {length}");
            Assert.True(expected.Tokens.Distinct().Count() >= 12, $"prompt of {length} repeats itself: {string.Join(' ', expected.Tokens)}");
        }
    }
}
