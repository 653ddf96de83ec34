using GrainServe.ModelBuilder.Whisper;
using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder.Xtts;

/// <summary>
/// Builds the conditioning encoder: <c>mel</c> <c>[1, mel_bins, frames]</c> (the reference audio's log-mel) in;
/// <c>conditioning_latents</c> <c>[1, 32, hidden]</c>, <c>speaker_embedding</c> <c>[1, 512, 1]</c> and, per GPT layer
/// <c>i</c>, the cross-attention's <c>present_key_cross_{i}</c>/<c>present_value_cross_{i}</c> <c>[1, heads, 32, head_size]</c>
/// projected from the latents (as a Whisper encoder projects its output), so a voice is computed once and the GPT
/// never projects it again.
/// </summary>
/// <remarks>
/// XTTS-v2's conditioning encoder and perceiver resampler, and its speaker encoder, reduced to what keeps the shapes:
/// the mean of the mel over time, then tanh of a linear layer to 32 latents, and another to the speaker embedding.
/// </remarks>
public static class XttsConditioningEncoder
{
    /// <summary>The bytes of an encoder of <paramref name="dims"/> with seeded random weights.</summary>
    public static byte[] Build(XttsDims dims, int seed = 17)
    {
        var w = new WhisperGraph(dims.AsWhisper, new RandomWhisperWeights(seed), "xtts_conditioning_encoder");
        var g = w.G;
        g.Input("mel", "FP32", 1, dims.MelBins, "frames")
            .Output("conditioning_latents", "FP32", 1, dims.ConditioningPositions, dims.Hidden)
            .Output("speaker_embedding", "FP32", 1, dims.SpeakerSize, 1);
        for (var i = 0; i < dims.Layers; i++)
        {
            g.Output($"present_key_cross_{i}", "FP32", 1, dims.Heads, dims.ConditioningPositions, dims.HeadSize)
                .Output($"present_value_cross_{i}", "FP32", 1, dims.Heads, dims.ConditioningPositions, dims.HeadSize);
        }

        // Only the heads' shape of WhisperGraph.Constants: the rest would be unused initializers, which ONNX Runtime warns of.
        w.Int64s("heads_shape", 0, 0, dims.Heads, dims.HeadSize);
        w.Int64s("latents_shape", 1, dims.ConditioningPositions, dims.Hidden);
        w.Int64s("speaker_shape", 1, dims.SpeakerSize, 1);
        g.Node("ReduceMean", ["mel"], ["mel_mean"], IntsAttribute("axes", 2), IntAttribute("keepdims", 0));
        var latents = w.Linear("mel_mean", "perceiver", dims.MelBins, dims.ConditioningPositions * dims.Hidden);
        g.Node("Tanh", [latents], ["latents_flat"])
            .Node("Reshape", ["latents_flat", "latents_shape"], ["conditioning_latents"]);
        var speaker = w.Linear("mel_mean", "speaker_encoder", dims.MelBins, dims.SpeakerSize);
        g.Node("Tanh", [speaker], ["speaker_flat"])
            .Node("Reshape", ["speaker_flat", "speaker_shape"], ["speaker_embedding"]);
        for (var i = 0; i < dims.Layers; i++)
        {
            var p = $"cross{i}_";
            w.Heads(w.Linear("conditioning_latents", p + "k", dims.Hidden, dims.Hidden, bias: false), $"present_key_cross_{i}");
            w.Heads(w.Linear("conditioning_latents", p + "v", dims.Hidden, dims.Hidden), $"present_value_cross_{i}");
        }

        return g.ToBytes();
    }
}
