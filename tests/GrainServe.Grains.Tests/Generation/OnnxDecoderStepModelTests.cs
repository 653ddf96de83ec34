using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>The step model on the shared tiny-random-gpt2 export (legacy past_{i} naming, int32 ids).</summary>
[Trait("Category", "RealModel")]
public sealed class OnnxDecoderStepModelTests
{
    private static readonly int[] Sequence = Enumerable.Range(0, 40).Select(i => ((i * 37) + 5) % 997).ToArray();

    [Fact]
    public void Read_TinyGpt2_LegacyLayoutWithConfig()
    {
        if (TinyGpt2.Folder(nameof(Read_TinyGpt2_LegacyLayoutWithConfig)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder);

        var layout = model.Layout;
        Assert.Equal(KvNaming.Stacked, layout.KvNaming);
        Assert.Equal(5, layout.Layers.Count);
        Assert.Equal(new KvLayerNames("past_3", null, "present_3", null), layout.Layers[3]);
        Assert.Equal(4, layout.KvHeads);
        Assert.Equal(8, layout.HeadSize);
        Assert.Equal(1000, model.VocabularySize);
        Assert.Equal(512, model.MaxContextLength);
        Assert.Equal([98], layout.EosTokenIds);
        Assert.Equal(98, layout.BosTokenId);
        Assert.Equal(TensorElementType.Int32, layout.InputIdsType);
        Assert.Equal(TensorElementType.Int32, layout.AttentionMaskType);
        Assert.Equal("position_ids", layout.PositionIds);
        Assert.Equal(TensorElementType.Float, layout.KvType);
        Assert.Equal(5L * 2 * 4 * 8 * 4, model.KvBytesPerToken);
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_PrefillInOneStep_MatchesReference(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_PrefillInOneStep_MatchesReference)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);
        using var reference = Reference(folder);

        var logits = model.Run([new StepEntry(1, new[] { 5, 17, 42 }, 0, true)]);

        Assert.Equal(1, logits.Rows);
        Assert.Equal(1000, logits.VocabularySize);
        LogitsAssert.Close(reference.Logits(5, 17, 42)[2], logits.Row(0), "prefill");
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_ChunkedPrefillThenDecodes_MatchReferenceAtEachPosition(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_ChunkedPrefillThenDecodes_MatchReferenceAtEachPosition)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);
        using var reference = Reference(folder);
        var expected = reference.Logits(Sequence[..14]);

        Assert.Equal(0, model.Run([new StepEntry(7, Sequence[..5], 0, false)]).Rows);
        LogitsAssert.Close(expected[8], model.Run([new StepEntry(7, Sequence[5..9], 5, true)]).Row(0), "second chunk");
        for (var position = 9; position < 14; position++)
        {
            var step = model.Run([new StepEntry(7, Sequence[position..(position + 1)], position, true)]);
            LogitsAssert.Close(expected[position], step.Row(0), $"decode at {position}");
        }
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_MixedPastsAndChunksInOneStep_EachMatchesRunningAlone(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_MixedPastsAndChunksInOneStep_EachMatchesRunningAlone)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);
        using var alone = TinyGpt2.Load(folder, kvBinding);
        using var reference = Reference(folder);
        var decoding = Sequence[..31];
        var fresh = Sequence[3..10];
        var chunked = Sequence[12..25];
        model.Run([new StepEntry(1, decoding[..30], 0, false), new StepEntry(3, chunked[..6], 0, false)]);

        // Decode with 30 tokens of past, a 7-token prefill from scratch, and a second 7-token chunk over 6 of past.
        var step = model.Run(
        [
            new StepEntry(1, decoding[30..], 30, true),
            new StepEntry(2, fresh, 0, true),
            new StepEntry(3, chunked[6..], 6, true),
        ]);

        Assert.Equal(3, step.Rows);
        LogitsAssert.Close(reference.Logits(decoding)[30], step.Row(0), "decode");
        LogitsAssert.Close(reference.Logits(fresh)[6], step.Row(1), "fresh prefill");
        LogitsAssert.Close(reference.Logits(chunked)[12], step.Row(2), "second chunk");

        alone.Run([new StepEntry(1, decoding[..30], 0, false)]);
        LogitsAssert.Close(alone.Run([new StepEntry(1, decoding[30..], 30, true)]).Row(0).ToArray(), step.Row(0), "decode alone");
        LogitsAssert.Close(alone.Run([new StepEntry(2, fresh, 0, true)]).Row(0).ToArray(), step.Row(1), "prefill alone");

        // The next step decodes all three on top of what the mixed step cached.
        var next = model.Run(
        [
            new StepEntry(1, Sequence[31..32], 31, true),
            new StepEntry(2, Sequence[10..11], 7, true),
            new StepEntry(3, Sequence[25..26], 13, true),
        ]);
        LogitsAssert.Close(reference.Logits(Sequence[..32])[31], next.Row(0), "decode after mixed step");
        LogitsAssert.Close(reference.Logits(Sequence[3..11])[7], next.Row(1), "decode after fresh prefill");
        LogitsAssert.Close(reference.Logits(Sequence[12..26])[13], next.Row(2), "decode after second chunk");
    }

    [Fact]
    public void Run_SteadyBatchOfDecodes_TakesTheLastPresentAsItsPast_AndMatchesTheReference()
    {
        if (TinyGpt2.Folder(nameof(Run_SteadyBatchOfDecodes_TakesTheLastPresentAsItsPast_AndMatchesTheReference)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, KvBinding.Host);
        using var reference = Reference(folder);
        // Three sequences with pasts of 12, 4 and 9 tokens (left padding differs by row), then decoded together.
        int[][] sequences = [Sequence[..20], Sequence[20..32], Sequence[5..25]];
        int[] pasts = [12, 4, 9];
        var expected = sequences.Select(s => reference.Logits(s)).ToArray();
        for (var r = 0; r < 3; r++)
        {
            model.Run([new StepEntry(r + 1, sequences[r][..pasts[r]], 0, false)]);
        }

        for (var step = 0; step < 6; step++)
        {
            var logits = model.Run([.. Enumerable.Range(0, 3).Select(r => new StepEntry(r + 1, sequences[r][(pasts[r] + step)..(pasts[r] + step + 1)], pasts[r] + step, true))]);
            for (var r = 0; r < 3; r++)
            {
                LogitsAssert.Close(expected[r][pasts[r] + step], logits.Row(r), $"row {r}, decode {step}");
            }
        }

        // The first decode step gathers every row's past; the five after it take the last present as their past.
        Assert.Equal(5, model.ContinuedRuns);

        // A row leaves: the batch changed, so the next step gathers again, and stays right.
        var after = model.Run([new StepEntry(1, sequences[0][18..19], 18, true), new StepEntry(3, sequences[2][15..16], 15, true)]);
        LogitsAssert.Close(expected[0][18], after.Row(0), "row 0 after row 1 left");
        LogitsAssert.Close(expected[2][15], after.Row(1), "row 2 after row 1 left");
        Assert.Equal(5, model.ContinuedRuns);
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_OnlySomeEntriesNeedLogits_RowsInEntryOrder(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_OnlySomeEntriesNeedLogits_RowsInEntryOrder)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);
        using var reference = Reference(folder);

        var step = model.Run([new StepEntry(1, Sequence[..4], 0, false), new StepEntry(2, Sequence[4..9], 0, true)]);

        Assert.Equal(1, step.Rows);
        LogitsAssert.Close(reference.Logits(Sequence[4..9])[4], step.Row(0), "the entry that asked");
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_WrongStart_Throws(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_WrongStart_Throws)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);
        model.Run([new StepEntry(1, Sequence[..3], 0, true)]);

        var error = Assert.Throws<InvalidOperationException>(() => model.Run([new StepEntry(1, Sequence[3..4], 4, true)]));

        Assert.Contains("holds 3 tokens", error.Message);
        Assert.Throws<InvalidOperationException>(() => model.Run([new StepEntry(2, Sequence[3..4], 1, true)]));
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Release_ThenFreshPrefill_MatchesReference(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Release_ThenFreshPrefill_MatchesReference)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);
        using var reference = Reference(folder);
        model.Run([new StepEntry(1, Sequence[..20], 0, true)]);

        model.Release(1);
        model.Release(12345);
        var step = model.Run([new StepEntry(1, Sequence[20..26], 0, true)]);

        LogitsAssert.Close(reference.Logits(Sequence[20..26])[5], step.Row(0), "after release");
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_NoEntries_ReturnsNoRows(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_NoEntries_ReturnsNoRows)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);

        var step = model.Run([]);

        Assert.Equal(0, step.Rows);
        Assert.Equal(1000, step.VocabularySize);
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_PastTheContextLength_Throws(KvBinding kvBinding)
    {
        if (TinyGpt2.Folder(nameof(Run_PastTheContextLength_Throws)) is not { } folder)
        {
            return;
        }

        using var model = TinyGpt2.Load(folder, kvBinding);

        var error = Assert.Throws<InvalidOperationException>(() => model.Run([new StepEntry(1, new int[513], 0, true)]));

        Assert.Contains("context length 512", error.Message);
    }

    [Fact]
    public void Run_MixedStep_IoBindingAgreesWithHost()
    {
        if (TinyGpt2.Folder(nameof(Run_MixedStep_IoBindingAgreesWithHost)) is not { } folder)
        {
            return;
        }

        using var host = TinyGpt2.Load(folder);
        using var bound = TinyGpt2.Load(folder, KvBinding.IoBinding);
        Assert.Equal(KvBinding.Host, host.KvBinding);
        Assert.Equal(KvBinding.IoBinding, bound.KvBinding);

        // Warm-up, a mixed step (decode over 30, fresh prefill, second chunk), a decode of all three, then one row
        // alone: the bound buffers grow and are then viewed at a smaller shape.
        LogitsAssert.Agree(
            host,
            bound,
            [new StepEntry(1, Sequence[..30], 0, true), new StepEntry(3, Sequence[12..18], 0, false)],
            [new StepEntry(1, Sequence[30..31], 30, true), new StepEntry(2, Sequence[3..10], 0, true), new StepEntry(3, Sequence[18..25], 6, true)],
            [new StepEntry(1, Sequence[31..32], 31, true), new StepEntry(2, Sequence[10..11], 7, true), new StepEntry(3, Sequence[25..26], 13, true)],
            [new StepEntry(2, Sequence[11..12], 8, true)]);
    }

    [Fact]
    public void Load_NotAnOnnxFile_ThrowsModelLoadException()
    {
        using var repository = new TestSupport.TempRepository().File("model.onnx", "not onnx");

        var error = Assert.Throws<Runtime.ModelLoadException>(() => OnnxDecoderStepModel.Load(Path.Combine(repository.Root, "model.onnx")));

        Assert.Contains("ONNX Runtime cannot load", error.Message);
    }

    private static ReferenceDecoder Reference(string folder) => new(Path.Combine(folder, "past.onnx"), folder);
}
