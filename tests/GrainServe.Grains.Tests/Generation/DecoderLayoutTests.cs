using GrainServe.ModelBuilder;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

public sealed class DecoderLayoutTests
{
    [Fact]
    public void Read_ModelWithoutKvInputs_FailsNamingWhatIsMissing()
    {
        var graph = new OnnxGraphBuilder("no_kv")
            .Input("input_ids", "INT64", -1, -1)
            .Input("attention_mask", "INT64", -1, -1)
            .Input("hidden", "FP32", -1, -1, 16)
            .Output("logits", "FP32", -1, -1, 16)
            .Node("Identity", ["hidden"], ["logits"])
            .ToBytes();
        using var session = new InferenceSession(graph);

        var error = Assert.Throws<ModelLoadException>(() => DecoderLayout.Read(session.InputMetadata, session.OutputMetadata, null, "no_kv"));

        Assert.Contains("decoder 'no_kv'", error.Message);
        Assert.Contains("no KV cache inputs: expected 'past_key_values.0.key' or 'past_0'", error.Message);
    }

    [Fact]
    public void Read_NoIdsInput_FailsNamingIt()
    {
        using var session = new InferenceSession(SampleModels.Identity("FP32"));

        var error = Assert.Throws<ModelLoadException>(() => DecoderLayout.Read(session.InputMetadata, session.OutputMetadata, null, "identity"));

        Assert.Contains("no input tensor 'input_ids'", error.Message);
    }

    [Fact]
    public void Read_GenAiWhisperDecoder_FindsSelfAndCrossAttentionWithoutAMask()
    {
        if (TestSupport.SharedData.Folder("whisper-genai-test", nameof(Read_GenAiWhisperDecoder_FindsSelfAndCrossAttentionWithoutAMask)) is not { } folder)
        {
            return;
        }

        using var session = new InferenceSession(Path.Combine(folder, "dummy_decoder.onnx"));

        var layout = DecoderLayout.Read(session, folder);

        Assert.True(layout.IsEncoderDecoder);
        Assert.False(layout.PadsRows);
        Assert.Null(layout.AttentionMask);
        Assert.Null(layout.PositionIds);
        Assert.Equal([new KvLayerNames("past_key_self_0", "past_value_self_0", "present_key_self_0", "present_value_self_0")], layout.Layers);
        Assert.Equal([new CrossKvNames("past_key_cross_0", "past_value_cross_0")], layout.CrossLayers);
        Assert.Equal(1500, layout.EncoderPositions);
        Assert.Equal((6, 64, 51865, 448), (layout.KvHeads, layout.HeadSize, layout.VocabularySize, layout.ContextLength));
    }

    [Fact]
    public void Read_DecoderOnlyWithoutAMask_FailsNamingTheMask()
    {
        if (TestSupport.SharedData.Folder("tiny-random-gpt2", nameof(Read_DecoderOnlyWithoutAMask_FailsNamingTheMask)) is not { } folder)
        {
            return;
        }

        using var session = new InferenceSession(Path.Combine(folder, "past.onnx"));
        var inputs = session.InputMetadata.Where(p => p.Key != "attention_mask").ToDictionary();

        var error = Assert.Throws<ModelLoadException>(() => DecoderLayout.Read(inputs, session.OutputMetadata, GenAiConfig.TryLoad(folder), "gpt2"));

        Assert.Contains("no input tensor 'attention_mask'", error.Message);
    }
}
