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
    public void Read_WhisperDecoder_FailsOnCrossAttentionInputs()
    {
        if (TestSupport.SharedData.Folder("whisper-genai-test", nameof(Read_WhisperDecoder_FailsOnCrossAttentionInputs)) is not { } folder)
        {
            return;
        }

        using var session = new InferenceSession(Path.Combine(folder, "dummy_decoder.onnx"));

        var error = Assert.Throws<ModelLoadException>(() => DecoderLayout.Read(session, folder));

        Assert.Contains("past_key_cross_0", error.Message);
    }
}
