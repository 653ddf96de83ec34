namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>Clauses to sentences and phonemes to ids, by piper-phonemize's rules.</summary>
public sealed class PiperTextTests
{
    private static readonly Dictionary<string, long[]> Map = new(StringComparer.Ordinal)
    {
        ["_"] = [0], ["^"] = [1], ["$"] = [2], [" "] = [3], ["."] = [10], ["h"] = [20], ["ə"] = [59], ["l"] = [24], ["ˈ"] = [120], ["o"] = [27], ["ʊ"] = [100],
        ["c"] = [16], ["\u0327"] = [140],
    };

    [Fact]
    public void Ids_AreBosPadThenEachPhonemeAndAPadThenEos()
    {
        var (ids, missing) = PiperPhonemeIds.From("həlˈoʊ.", Map);

        Assert.Equal([1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 10, 0, 2], ids);
        Assert.Equal(0, missing);
    }

    [Fact]
    public void Ids_DecomposeToCodePoints_AndSkipWhatTheMapLacks()
    {
        var (ids, missing) = PiperPhonemeIds.From("çx", Map);

        Assert.Equal([1, 0, 16, 0, 140, 0, 2], ids);
        Assert.Equal(1, missing);
    }

    [Fact]
    public void Sentences_EndAtPeriodsQuestionsAndExclamations_AndKeepCommasColonsAndSemicolonsWithASpace()
    {
        EspeakClause[] clauses =
        [
            new("həlˈoʊ", ','), new("wˈɜːld", '!'), new("ðɪs ɪz", ':'), new("ɐ tˈɛst", ';'), new("ɹˈaɪt", '?'), new("jˈɛs", null),
        ];

        var sentences = PiperSentences.Join(clauses);

        Assert.Equal(["həlˈoʊ, wˈɜːld!", "ðɪs ɪz: ɐ tˈɛst; ɹˈaɪt?", "jˈɛs"], sentences);
    }

    [Fact]
    public void Sentences_WithoutPhonemes_AreLeftOut()
    {
        Assert.Empty(PiperSentences.Join([new EspeakClause("", '.'), new EspeakClause("", '!')]));
    }

    [Fact]
    public void Terminator_IsAMarkThatEndsAWord()
    {
        var text = "costs 5.50 now"u8;
        Assert.Null(Espeak.Terminator(text, 0, text.Length));
        var ended = "It ended. N"u8;
        Assert.Equal('.', Espeak.Terminator(ended, 0, ended.Length));
    }
}
