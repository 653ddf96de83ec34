namespace GrainServe.Speech.Whisper;

public sealed class WhisperSuppressTokensTests
{
    // Hugging Face's openai/whisper-tiny generation_config.json suppress_tokens (what _get_suppress_tokens gives for
    // "-1"): non_speech_tokens, then sot 50258, translate 50358, transcribe 50359, sot_lm 50360, sot_prev 50361 and
    // no_speech 50362.
    private static readonly int[] MultilingualMinusOne =
    [
        1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93, 359, 503, 522, 542, 873,
        893, 902, 918, 922, 931, 1350, 1853, 1982, 2460, 2627, 3246, 3253, 3268, 3536, 3846, 3961, 4183, 4667, 6585, 6647,
        7273, 9061, 9383, 10428, 10929, 11938, 12033, 12331, 12562, 13793, 14157, 14635, 15265, 15618, 16553, 16604,
        18362, 18956, 20075, 21675, 22520, 26130, 26161, 26435, 28279, 29464, 31650, 32302, 32470, 36865, 42863, 47425,
        49870, 50254, 50258, 50358, 50359, 50360, 50361, 50362,
    ];

    // The same for openai/whisper-tiny.en (GPT-2's vocabulary; sot 50257, translate 50357 … no_speech 50361).
    private static readonly int[] EnglishMinusOne =
    [
        1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93, 357, 366, 438, 532, 685,
        705, 796, 930, 1058, 1220, 1267, 1279, 1303, 1343, 1377, 1391, 1635, 1782, 1875, 2162, 2361, 2488, 3467, 4008,
        4211, 4600, 4808, 5299, 5855, 6329, 7203, 9609, 9959, 10563, 10786, 11420, 11709, 11907, 13163, 13697, 13700,
        14808, 15306, 16410, 16791, 17992, 19203, 19510, 20724, 22305, 22935, 27007, 30109, 30420, 33409, 34949, 40283,
        40493, 40549, 47282, 49146, 50257, 50357, 50358, 50359, 50360, 50361,
    ];

    [Fact]
    public void SuppressTokens_MinusOneMultilingualTiktoken_IsWhisperTinyList()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(SuppressTokens_MinusOneMultilingualTiktoken_IsWhisperTinyList)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal(MultilingualMinusOne, tokenizer.SuppressTokens("-1"));
        Assert.Equal(MultilingualMinusOne[..^6], tokenizer.NonSpeechTokens);
    }

    [Fact]
    public void SuppressTokens_MinusOneTokenizerJson_IsWhisperTinyList()
    {
        if (WhisperTestTokenizers.TokenizerJson(nameof(SuppressTokens_MinusOneTokenizerJson_IsWhisperTinyList)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal(MultilingualMinusOne, tokenizer.SuppressTokens("-1"));
    }

    [Fact]
    public void SuppressTokens_MinusOneGpt2_IsWhisperTinyEnList()
    {
        if (WhisperTestTokenizers.Gpt2Tiktoken(nameof(SuppressTokens_MinusOneGpt2_IsWhisperTinyEnList)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal(EnglishMinusOne, tokenizer.SuppressTokens("-1"));
    }

    [Fact]
    public void SuppressTokens_IdsWithoutMinusOne_IdsAndFixedSix()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(SuppressTokens_IdsWithoutMinusOne_IdsAndFixedSix)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal([5, 11, 50258, 50358, 50359, 50360, 50361, 50362], tokenizer.SuppressTokens(" 11,5,11"));
        Assert.Equal(MultilingualMinusOne.Append(7000).Order(), tokenizer.SuppressTokens("7000,-1"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void SuppressTokens_NullOrEmpty_IsEmpty(string? option)
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(SuppressTokens_NullOrEmpty_IsEmpty)) is not { } tokenizer)
        {
            return;
        }

        Assert.Empty(tokenizer.SuppressTokens(option));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1,,2")]
    [InlineData("-2")]
    [InlineData("51865")]
    public void SuppressTokens_Invalid_Throws(string option)
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(SuppressTokens_Invalid_Throws)) is not { } tokenizer)
        {
            return;
        }

        Assert.Throws<ArgumentException>(() => tokenizer.SuppressTokens(option));
    }
}
