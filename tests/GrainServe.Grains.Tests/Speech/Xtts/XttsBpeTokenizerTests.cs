using GrainServe.ModelBuilder.Xtts;
using GrainServe.Runtime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's tokenizer over the sample's vocab.json (the format of XTTS-v2's: BPE, Whitespace pre-tokenizer, [SPACE],
/// language tokens). Expected ids are written as the vocabulary's token strings, worked out by hand from its merges.
/// </summary>
public sealed class XttsBpeTokenizerTests
{
    private static readonly Lazy<(XttsBpeTokenizer Tokenizer, Dictionary<string, int> Ids)> Sample = new(() =>
    {
        var file = Path.Combine(Path.GetTempPath(), $"grainserve-xtts-vocab-{Environment.ProcessId}.json");
        File.WriteAllBytes(file, XttsVocabulary.Build());
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
        var ids = json.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        return (XttsBpeTokenizer.Load(file), ids);
    });

    private static int[] Ids(params string[] tokens) => [.. tokens.Select(t => Sample.Value.Ids[t])];

    [Fact]
    public void Encode_Sentence_IsStartLanguageMergedPiecesSpacesAndStop()
    {
        var ids = Sample.Value.Tokenizer.Encode("The cat, the  END.", "en");

        // "the" merges t h → th, th e → the; "cat" only a t; "end" only e n; "," and "." are pieces of their own.
        Assert.Equal(Ids("[START]", "[en]", "the", "[SPACE]", "c", "at", ",", "[SPACE]", "the", "[SPACE]", "en", "d", ".", "[STOP]"), ids);
    }

    [Fact]
    public void Encode_LanguageWithRegion_UsesTheBareLanguageToken()
    {
        var ids = Sample.Value.Tokenizer.Encode("ja", "de-AT");

        Assert.Equal(Ids("[START]", "[de]", "j", "a", "[STOP]"), ids);
        Assert.Equal("zh-cn", Sample.Value.Tokenizer.Language("zh-CN"));
    }

    [Fact]
    public void Encode_CharacterOutsideTheVocabulary_IsUnknown()
    {
        var ids = Sample.Value.Tokenizer.Encode("a日b", "en");

        Assert.Equal(Ids("[START]", "[en]", "a", "[UNK]", "b", "[STOP]"), ids);
    }

    [Fact]
    public void Language_NotInTheVocabulary_IsNull()
    {
        Assert.Null(Sample.Value.Tokenizer.Language("xx"));
        Assert.Contains("hi", Sample.Value.Tokenizer.Languages);
        Assert.Throws<ArgumentException>(() => Sample.Value.Tokenizer.Encode("hi", "xx"));
    }

    [Theory]
    [InlineData("Mr. Smith & \"Co\"", "en", "mister smith and co")]
    [InlineData("Dr. Jones:   5% off!", "en", "doctor jones: five percent off!")]
    [InlineData("Mr. Lee paid $3.25 on the 2nd.", "en", "mister lee paid three dollars, twenty-five cents on the second.")]
    [InlineData("Dr. Müller, 5 Äpfel", "de", "doktor müller, fünf äpfel")]
    [InlineData("İSTANBUL", "tr", "istanbul")]
    public void Clean_Text_AsXttsMultilingualCleanersDoes(string text, string language, string expected) =>
        Assert.Equal(expected, XttsTextCleaner.Clean(text, language));

    [Fact]
    public void Prompt_WithoutVocabulary_IsUtf8BytesAndIgnoresTheLanguage()
    {
        var settings = new XttsSettings();
        var tokens = new XttsTokens(settings);

        Assert.Equal([settings.TextTokenOffset + 'h', settings.TextTokenOffset + 'i', settings.StartAudioToken], tokens.Prompt("hi", "xx"));
        Assert.Null(tokens.LanguageError("xx"));
    }

    [Fact]
    public void Prompt_WithVocabulary_OffsetsTheIdsAndEndsWithTheStartCode()
    {
        var settings = new XttsSettings();
        var tokens = new XttsTokens(settings, Sample.Value.Tokenizer);

        var prompt = tokens.Prompt("ja", null);

        Assert.Equal("en", tokens.DefaultLanguage);
        Assert.Equal([.. Ids("[START]", "[en]", "j", "a", "[STOP]").Select(i => settings.TextTokenOffset + i), settings.StartAudioToken], prompt);
        Assert.Contains("use one of ar, cs, de, en", tokens.LanguageError("xx"));
    }

    [Fact]
    public void Load_FileWithoutLanguageTokens_FailsNamingWhy()
    {
        var file = Path.Combine(Path.GetTempPath(), $"grainserve-xtts-nolang-{Environment.ProcessId}.json");
        File.WriteAllText(file, """{ "added_tokens": [], "model": { "type": "BPE", "vocab": { "[STOP]": 0, "[UNK]": 1, "[SPACE]": 2, "a": 3 }, "merges": [] } }""");

        var error = Assert.Throws<ModelLoadException>(() => XttsBpeTokenizer.Load(file));

        Assert.Contains("language token", error.Message);
    }
}
