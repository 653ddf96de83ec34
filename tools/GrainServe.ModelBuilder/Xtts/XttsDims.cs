using GrainServe.ModelBuilder.Whisper;

namespace GrainServe.ModelBuilder.Xtts;

/// <summary>The shape of the XTTS-style GPT, vocoder and conditioning encoder that <see cref="XttsModel"/> builds.</summary>
/// <param name="Layers">GPT blocks; one self- and one cross-attention KV pair each.</param>
/// <param name="Hidden">Width of the GPT's residual stream and of a latent (XTTS-v2: 1024).</param>
/// <param name="Heads">Attention heads, of <paramref name="HeadSize"/> each.</param>
/// <param name="HeadSize">Width of one head; <c>Heads × HeadSize</c> is <paramref name="Hidden"/>.</param>
/// <param name="Ffn">Width of the GELU feed-forward layers.</param>
/// <param name="AudioCodes">Audio codes of the VQ codebook (XTTS-v2: 1024); the start and stop codes follow them.</param>
/// <param name="Context">Positions a sequence may hold: text, start code and audio codes.</param>
/// <param name="ConditioningPositions">Conditioning latents per voice (XTTS-v2's perceiver: 32).</param>
/// <param name="SpeakerSize">Width of the speaker embedding the vocoder is conditioned on (XTTS-v2: 512).</param>
/// <param name="VocoderChannels">Channels of the vocoder's one hidden layer.</param>
/// <param name="HopLength">Samples of 24 kHz audio the vocoder makes per latent.</param>
/// <param name="MelBins">Mel bins of the reference audio's spectrogram the conditioning encoder reads.</param>
public sealed record XttsDims(
    int Layers, int Hidden, int Heads, int HeadSize, int Ffn, int AudioCodes, int Context,
    int ConditioningPositions, int SpeakerSize, int VocoderChannels, int HopLength, int MelBins)
{
    /// <summary>Text ids the GPT embeds: the sample's <c>vocab.json</c> (<see cref="XttsVocabulary"/>) takes up to this many, and a model without one its UTF-8 bytes.</summary>
    public const int TextTokens = 256;

    /// <summary>
    /// The sample: two layers of width 64, XTTS-v2's 1024 codes, 32 conditioning latents and 512-wide speaker embedding,
    /// a 1024-sample hop (24 kHz audio at 23.4 codes a second, about XTTS-v2's 21.5).
    /// </summary>
    public static XttsDims Small { get; } = new(2, 64, 2, 32, 128, 1024, 1024, 32, 512, 32, 1024, 80);

    /// <summary>
    /// XTTS-v2's GPT width (1024, 16 heads of 64, a feed-forward of 4096) in 2 of its 30 layers, with
    /// <see cref="Small"/>'s vocoder and everything else: about 36 M parameters, so that as in XTTS-v2 a decode step
    /// reads weights far larger than the caches and the GPT, not the per-step overhead, is most of a synthesis. For the
    /// speech benchmark; the sample stays <see cref="Small"/>.
    /// </summary>
    public static XttsDims XttsWidth { get; } = Small with { Hidden = 1024, Heads = 16, HeadSize = 64, Ffn = 4096 };

    /// <summary>The code that starts the audio, after the text: the last prompt token.</summary>
    public int StartAudioToken => AudioCodes;

    /// <summary>The code that ends the utterance.</summary>
    public int StopAudioToken => AudioCodes + 1;

    /// <summary>The id of text token 0: text ids follow the codes in one id space (XTTS embeds them with separate tables; one table over disjoint ranges is the same).</summary>
    public int TextTokenOffset => AudioCodes + 2;

    /// <summary>Rows of the embedding and width of the logits.</summary>
    public int Vocab => TextTokenOffset + TextTokens;

    /// <summary>The same widths as Whisper's graph helpers read them (the conditioning latents stand where the audio positions are).</summary>
    internal WhisperDims AsWhisper => new(0, Layers, Hidden, Heads, HeadSize, Ffn, MelBins, ConditioningPositions, Context, Vocab);
}
