namespace GrainServe.Speech.Whisper;

public sealed class WhisperLanguagesTests
{
    [Fact]
    public void Codes_InTokenizerPyOrder_HundredWithYueLast()
    {
        Assert.Equal(100, WhisperLanguages.Codes.Count);
        Assert.Equal(["en", "zh", "de", "es", "ru", "ko", "fr", "ja"], WhisperLanguages.Codes.Take(8));
        Assert.Equal(["haw", "ln", "ha", "ba", "jw", "su", "yue"], WhisperLanguages.Codes.Skip(93));
        Assert.Equal(100, WhisperLanguages.Codes.Distinct().Count());
    }

    [Fact]
    public void Names_CodeToName_AsLanguagesTable()
    {
        Assert.Equal("english", WhisperLanguages.Names["en"]);
        Assert.Equal("haitian creole", WhisperLanguages.Names["ht"]);
        Assert.Equal("cantonese", WhisperLanguages.Names["yue"]);
        Assert.Equal(100, WhisperLanguages.Names.Count);
    }

    [Fact]
    public void CodesByName_NamesAndTwelveAliases()
    {
        Assert.Equal(112, WhisperLanguages.CodesByName.Count);
        Assert.Equal("es", WhisperLanguages.CodesByName["castilian"]);
        Assert.Equal("my", WhisperLanguages.CodesByName["burmese"]);
        Assert.Equal("ro", WhisperLanguages.CodesByName["moldovan"]);
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("DE", "de")]
    [InlineData("English", "en")]
    [InlineData("castilian", "es")]
    [InlineData("Mandarin", "zh")]
    [InlineData("haitian creole", "ht")]
    [InlineData("haitian", "ht")]
    [InlineData("yue", "yue")]
    public void ToCode_CodeNameOrAlias_IsCode(string language, string code)
    {
        Assert.Equal(code, WhisperLanguages.ToCode(language));
    }

    [Theory]
    [InlineData("klingon")]
    [InlineData("en-US")]
    [InlineData("")]
    public void ToCode_Unknown_IsNull(string language)
    {
        Assert.Null(WhisperLanguages.ToCode(language));
    }

    [Fact]
    public void First_NinetyNine_LeavesOutYue()
    {
        var codes = WhisperLanguages.First(99);

        Assert.Equal(99, codes.Count);
        Assert.Equal("su", codes[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => WhisperLanguages.First(101));
    }
}
