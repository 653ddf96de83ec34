namespace GrainServe.Speech.Whisper;

public sealed class WhisperTokenizerDecodeTests
{
    // <|startoftranscript|><|en|><|transcribe|><|0.00|> Hello world<|1.08|><|endoftext|>, multilingual ids.
    private static readonly int[] Transcript = [50258, 50259, 50359, 50364, 2425, 1002, 50418, 50257];

    [Fact]
    public void Decode_SkipSpecial_TextOnly()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(Decode_SkipSpecial_TextOnly)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal(" Hello world", tokenizer.Decode(Transcript, skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_KeepSpecial_DropsTimestampsOnly()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(Decode_KeepSpecial_DropsTimestampsOnly)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal("<|startoftranscript|><|en|><|transcribe|> Hello world<|endoftext|>", tokenizer.Decode(Transcript, skipSpecialTokens: false));
    }

    [Fact]
    public void DecodeWithTimestamps_RendersTimestamps()
    {
        if (WhisperTestTokenizers.TokenizerJson(nameof(DecodeWithTimestamps_RendersTimestamps)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal("<|startoftranscript|><|en|><|transcribe|><|0.00|> Hello world<|1.08|><|endoftext|>", tokenizer.DecodeWithTimestamps(Transcript));
        Assert.Equal("<|0.00|> Hello world<|1.08|>", tokenizer.DecodeWithTimestamps(Transcript, skipSpecialTokens: true));
    }

    [Fact]
    public void IsSpecial_EndOfTextAndAfter()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(IsSpecial_EndOfTextAndAfter)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal([false, true, true, true, false], new[] { 50256, 50257, 50364, 51864, 51865 }.Select(tokenizer.IsSpecial));
    }
}
