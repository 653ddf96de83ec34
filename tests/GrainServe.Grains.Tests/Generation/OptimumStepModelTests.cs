using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>The step model over the Optimum / onnxruntime-genai naming, on <see cref="TinyOptimumDecoder"/>.</summary>
public sealed class OptimumStepModelTests
{
    private static readonly int[] Sequence = Enumerable.Range(0, 40).Select(i => ((i * 7) + 3) % TinyOptimumDecoder.Vocabulary).ToArray();

    [Fact]
    public void Read_OptimumNaming_SeparateKvAndInt64Ids()
    {
        using var repository = TinyOptimumDecoder.Write();
        using var model = Load(repository.Root);

        var layout = model.Layout;
        Assert.Equal(KvNaming.Separate, layout.KvNaming);
        Assert.Equal(new KvLayerNames("past_key_values.0.key", "past_key_values.0.value", "present.0.key", "present.0.value"), Assert.Single(layout.Layers));
        Assert.Equal(TensorElementType.Int64, layout.InputIdsType);
        Assert.Equal(TensorElementType.Int64, layout.PositionIdsType);
        Assert.Equal(2, layout.KvHeads);
        Assert.Equal(4, layout.HeadSize);
        Assert.Equal(32, model.VocabularySize);
        Assert.Equal(64, model.MaxContextLength);
        Assert.Equal([1, 2], layout.EosTokenIds);
        Assert.Equal(1L * 2 * 2 * 4 * 4, model.KvBytesPerToken);
    }

    [Fact]
    public void Read_NoConfig_FailsAskingForTheContextLength()
    {
        using var session = new InferenceSession(TinyOptimumDecoder.Graph());

        var error = Assert.Throws<Runtime.ModelLoadException>(() => DecoderLayout.Read(session, null));

        Assert.Contains("model.context_length", error.Message);
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_ChunksAndDecodes_MatchReference(KvBinding kvBinding)
    {
        using var repository = TinyOptimumDecoder.Write();
        using var model = Load(repository.Root, kvBinding);
        using var reference = new ReferenceDecoder(Path.Combine(repository.Root, "model.onnx"), repository.Root);
        var expected = reference.Logits(Sequence[..12]);

        LogitsAssert.Close(expected[4], model.Run([new StepEntry(1, Sequence[..5], 0, true)]).Row(0), "first chunk");
        LogitsAssert.Close(expected[8], model.Run([new StepEntry(1, Sequence[5..9], 5, true)]).Row(0), "second chunk");
        for (var position = 9; position < 12; position++)
        {
            LogitsAssert.Close(expected[position], model.Run([new StepEntry(1, Sequence[position..(position + 1)], position, true)]).Row(0), $"decode at {position}");
        }
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_MixedPastsAndChunksInOneStep_EachMatchesReference(KvBinding kvBinding)
    {
        using var repository = TinyOptimumDecoder.Write();
        using var model = Load(repository.Root, kvBinding);
        using var reference = new ReferenceDecoder(Path.Combine(repository.Root, "model.onnx"), repository.Root);
        model.Run([new StepEntry(1, Sequence[..30], 0, false), new StepEntry(3, Sequence[12..18], 0, false)]);

        var step = model.Run(
        [
            new StepEntry(1, Sequence[30..31], 30, true),
            new StepEntry(2, Sequence[3..10], 0, true),
            new StepEntry(3, Sequence[18..25], 6, true),
        ]);

        Assert.NotEqual(step.Row(0).ToArray(), step.Row(1).ToArray());
        LogitsAssert.Close(reference.Logits(Sequence[..31])[30], step.Row(0), "decode");
        LogitsAssert.Close(reference.Logits(Sequence[3..10])[6], step.Row(1), "fresh prefill");
        LogitsAssert.Close(reference.Logits(Sequence[12..25])[12], step.Row(2), "second chunk");
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void Run_Float16Kv_MixedStepMatchesReference(KvBinding kvBinding)
    {
        using var repository = TinyOptimumDecoder.Write(float16Kv: true);
        using var model = Load(repository.Root, kvBinding);
        using var reference = new ReferenceDecoder(Path.Combine(repository.Root, "model.onnx"), repository.Root);
        Assert.Equal(TensorElementType.Float16, model.Layout.KvType);
        Assert.Equal(1L * 2 * 2 * 4 * 2, model.KvBytesPerToken);
        model.Run([new StepEntry(1, Sequence[..20], 0, false)]);

        var step = model.Run([new StepEntry(1, Sequence[20..21], 20, true), new StepEntry(2, Sequence[5..10], 0, true)]);

        LogitsAssert.Close(reference.Logits(Sequence[..21])[20], step.Row(0), "decode over a float16 cache");
        LogitsAssert.Close(reference.Logits(Sequence[5..10])[4], step.Row(1), "prefill beside it");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_MixedStep_IoBindingAgreesWithHost(bool float16Kv)
    {
        using var repository = TinyOptimumDecoder.Write(float16Kv);
        using var host = Load(repository.Root);
        using var bound = Load(repository.Root, KvBinding.IoBinding);

        LogitsAssert.Agree(
            host,
            bound,
            [new StepEntry(1, Sequence[..30], 0, false), new StepEntry(3, Sequence[12..18], 0, true)],
            [new StepEntry(1, Sequence[30..31], 30, true), new StepEntry(2, Sequence[3..10], 0, true), new StepEntry(3, Sequence[18..25], 6, true)],
            [new StepEntry(2, Sequence[10..11], 7, true)]);
    }

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public void TryFork_ContinuesFromTheCopiedPrefixAsTheSourceWould(KvBinding kvBinding)
    {
        using var repository = TinyOptimumDecoder.Write();
        using var model = Load(repository.Root, kvBinding);
        using var reference = new ReferenceDecoder(Path.Combine(repository.Root, "model.onnx"), repository.Root);
        model.Run([new StepEntry(1, Sequence[..20], 0, false)]);

        Assert.True(model.TryFork(1, 2, 12));
        Assert.False(model.TryFork(1, 2, 12), "a target with a cache");
        Assert.False(model.TryFork(1, 3, 21), "more tokens than the source holds");
        Assert.False(model.TryFork(9, 4, 1), "an unknown source");

        // The fork holds the source's first 12 tokens: it goes on from there, and the source is untouched.
        var step = model.Run([new StepEntry(2, Sequence[12..15], 12, true), new StepEntry(1, Sequence[20..21], 20, true)]);
        LogitsAssert.Close(reference.Logits(Sequence[..15])[14], step.Row(0), "fork");
        LogitsAssert.Close(reference.Logits(Sequence[..21])[20], step.Row(1), "source");
    }

    private static OnnxDecoderStepModel Load(string folder, KvBinding kvBinding = KvBinding.Host)
    {
        using var options = TinyGpt2.Options();
        return OnnxDecoderStepModel.Load(Path.Combine(folder, "model.onnx"), options, kvBinding);
    }
}
