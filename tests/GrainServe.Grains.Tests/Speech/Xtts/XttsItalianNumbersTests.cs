namespace GrainServe.Speech.Xtts;

/// <summary>
/// Italian numbers as XTTS's cleaner writes them: the words worked out by hand from num2words 0.5.x's
/// <c>lang_IT.py</c> rules (the 0.5.13-era file: its tens, hundreds and thousands, phonetic contractions, accent on a
/// final "tre", "-esimo" ordinals, "un euro"); the sentences are XTTS's own test cases, lower-cased.
/// </summary>
public sealed class XttsItalianNumbersTests
{
    private static readonly Func<string, string> Expand = XttsNumbers.For("it")!;

    [Theory]
    [InlineData(0, "zero")]
    [InlineData(21, "ventuno")]
    [InlineData(23, "ventitré")]
    [InlineData(28, "ventotto")]
    [InlineData(38, "trentotto")]
    [InlineData(57, "cinquantasette")]
    [InlineData(100, "cento")]
    [InlineData(103, "centotré")]
    [InlineData(108, "centotto")]
    [InlineData(180, "centottanta")]
    [InlineData(1001, "milleuno")]
    [InlineData(2000, "duemila")]
    [InlineData(523456, "cinquecentoventitremilaquattrocentocinquantasei")]
    [InlineData(1000000, "un milione")]
    [InlineData(3000005, "tre milioni e cinque")]
    [InlineData(1234567890, "un miliardo, duecentotrentaquattro milioni e cinquecentosessantasettemilaottocentonovanta")]
    [InlineData(1000000000000, "un bilione")]
    [InlineData(-5, "meno cinque")]
    public void Cardinal_IsNum2WordsItalian(long n, string expected) => Assert.Equal(expected, XttsItalianNumbers.Instance.Cardinal(n));

    [Theory]
    [InlineData(1, "primo")]
    [InlineData(12, "dodicesimo")]
    [InlineData(20, "ventesimo")]
    [InlineData(21, "ventunesimo")]
    [InlineData(23, "ventitreesimo")]
    [InlineData(26, "ventiseiesimo")]
    [InlineData(100, "centesimo")]
    [InlineData(1000, "millesimo")]
    [InlineData(1003, "milletreesimo")]
    [InlineData(14000, "quattordicimillesimo")]
    public void Ordinal_IsNum2WordsItalian(long n, string expected) => Assert.Equal(expected, XttsItalianNumbers.Instance.Ordinal(n));

    [Theory]
    [InlineData(12.5, "dodici virgola cinque")]
    [InlineData(3.14, "tre virgola uno quattro")]
    [InlineData(0.25, "zero virgola due cinque")]
    [InlineData(12.0, "dodici")]
    public void Decimal_ReadsEachDigitAfterVirgola(double value, string expected) => Assert.Equal(expected, XttsItalianNumbers.Instance.Decimal(value));

    [Theory]
    [InlineData(20.15, "EUR", "venti euro e quindici centesimi")]
    [InlineData(1, "EUR", "un euro e zero centesimi")]
    [InlineData(21, "USD", "ventun dollari e zero centesimi")]
    [InlineData(1.01, "GBP", "una sterlina e un penny")]
    public void Currency_IsNum2WordsItalian(double amount, string currency, string expected) =>
        Assert.Equal(expected, XttsItalianNumbers.Instance.Currency(amount, currency));

    [Theory]
    [InlineData("in 12,5 secondi.", "in dodici virgola cinque secondi.")]
    [InlineData("c'erano 50 soldati.", "c'erano cinquanta soldati.")]
    [InlineData("questo è un 1° test", "questo è un primo test")]
    [InlineData("ti costerà $20 signore.", "ti costerà venti dollari signore.")]
    [InlineData("ti costerà 20€ signore.", "ti costerà venti euro signore.")]
    [InlineData("ti costerà 20,15€ signore.", "ti costerà venti euro e quindici centesimi signore.")]
    public void Expand_Sentence_IsXttsExpandNumbersMultilingual(string text, string expected) => Assert.Equal(expected, Expand(text));

    [Fact]
    public void Cardinal_MinValue_IsRefusedRatherThanRecursingForever() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => XttsItalianNumbers.Instance.Cardinal(long.MinValue));
}
