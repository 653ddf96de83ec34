namespace GrainServe.Speech.Whisper;

public sealed class WhisperSpecialTokensTextTests
{
    private static readonly WhisperSpecialTokens Multilingual = WhisperSpecialTokens.After(50257, WhisperLanguages.First(99));

    [Theory]
    [InlineData(50257, "<|endoftext|>")]
    [InlineData(50258, "<|startoftranscript|>")]
    [InlineData(50259, "<|en|>")]
    [InlineData(50357, "<|su|>")]
    [InlineData(50358, "<|translate|>")]
    [InlineData(50359, "<|transcribe|>")]
    [InlineData(50360, "<|startoflm|>")]
    [InlineData(50361, "<|startofprev|>")]
    [InlineData(50362, "<|nospeech|>")]
    [InlineData(50363, "<|notimestamps|>")]
    [InlineData(50364, "<|0.00|>")]
    [InlineData(50418, "<|1.08|>")]
    [InlineData(51864, "<|30.00|>")]
    public void Text_Multilingual_IsTokenizerPyText(int id, string text)
    {
        Assert.Equal(text, Multilingual.Text(id));
    }

    [Theory]
    [InlineData(50256)]
    [InlineData(51865)]
    public void Text_OrdinaryOrPastTheLayout_IsNull(int id)
    {
        Assert.Null(Multilingual.Text(id));
    }

    [Fact]
    public void All_Multilingual_EveryIdFromEndOfTextToLastTimestamp()
    {
        var all = Multilingual.All().ToList();

        Assert.Equal(51865, Multilingual.VocabularySize);
        Assert.Equal(51865 - 50257, all.Count);
        Assert.Equal(Enumerable.Range(50257, all.Count), all.Select(p => p.Value));
        Assert.Equal(all.Count, all.Select(p => p.Key).Distinct().Count());
    }
}
