using GrainServe.ModelBuilder.Whisper;
using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder.Xtts;

/// <summary>
/// Builds a HiFi-GAN-shaped vocoder with XTTS-v2's <c>HifiDecoder</c> interface: <c>latents</c> <c>[batch, T, hidden]</c>
/// (the GPT's hidden states, one per code) and <c>speaker_embedding</c> <c>[batch, 512, 1]</c> in, <c>wav</c>
/// <c>[batch, 1, T × hop]</c> of 24 kHz samples in (-1, 1) out.
/// </summary>
/// <remarks>
/// Conv1d(hidden → channels, kernel 3, pad 1) plus the speaker's Conv1d(512 → channels, kernel 1) (HiFi-GAN's
/// <c>cond_layer</c>), tanh, then one ConvTranspose1d(channels → 1, kernel = stride = hop) and tanh. Its receptive
/// field is one latent either side, so a sample depends only on the latents next to its own: the decode of a prefix of
/// the latents equals the decode of all of them except within one hop of the prefix's end, which is what streaming's
/// crossfade covers (its overlap is one hop).
/// </remarks>
public static class XttsVocoder
{
    /// <summary>The bytes of a vocoder of <paramref name="dims"/> with seeded random weights.</summary>
    public static byte[] Build(XttsDims dims, int seed = 13)
    {
        var w = new WhisperGraph(dims.AsWhisper, new RandomWhisperWeights(seed), "xtts_hifigan_decoder");
        var g = w.G;
        g.Input("latents", "FP32", "batch_size", "latent_length", dims.Hidden)
            .Input("speaker_embedding", "FP32", "batch_size", dims.SpeakerSize, 1)
            .Output("wav", "FP32", "batch_size", 1, "wav_length");

        var conv = w.Weight("conv_pre_weight", w.Weights.Conv(dims.VocoderChannels, dims.Hidden, 3), dims.VocoderChannels, dims.Hidden, 3);
        var convBias = w.Weight("conv_pre_bias", w.Weights.Bias(dims.VocoderChannels), dims.VocoderChannels);
        var cond = w.Weight("cond_layer_weight", w.Weights.Conv(dims.VocoderChannels, dims.SpeakerSize, 1), dims.VocoderChannels, dims.SpeakerSize, 1);
        // ConvTranspose's kernel is [in, out, k]; drawn as a [channels, hop] matrix so each sample sums channels terms of ±1/√channels.
        var up = w.Weight("ups_weight", w.Weights.Matrix(dims.VocoderChannels, dims.HopLength), dims.VocoderChannels, 1, dims.HopLength);
        g.Node("Transpose", ["latents"], ["latents_t"], IntsAttribute("perm", 0, 2, 1))
            .Node("Conv", ["latents_t", conv, convBias], ["conv_pre"], IntsAttribute("kernel_shape", 3), IntsAttribute("pads", 1, 1))
            .Node("Conv", ["speaker_embedding", cond], ["cond"], IntsAttribute("kernel_shape", 1))
            .Node("Add", ["conv_pre", "cond"], ["conditioned"])
            .Node("Tanh", ["conditioned"], ["activated"])
            .Node("ConvTranspose", ["activated", up], ["upsampled"], IntsAttribute("kernel_shape", dims.HopLength), IntsAttribute("strides", dims.HopLength))
            .Node("Tanh", ["upsampled"], ["wav"]);
        return g.ToBytes();
    }
}
