namespace GrainServe.Speech.Xtts;

/// <summary>
/// German numbers as XTTS's cleaner writes them: the words worked out by hand from num2words 0.5.x's
/// <c>lang_DE.py</c> rules (the 0.5.13-era file: "ein" before hundert and tausend, capitalized Million and Milliarde,
/// the ordinal exceptions, "ein Euro"); the sentences are XTTS's own test cases, lower-cased.
/// </summary>
public sealed class XttsGermanNumbersTests
{
    private static readonly Func<string, string> Expand = XttsNumbers.For("de")!;

    [Theory]
    [InlineData(0, "null")]
    [InlineData(1, "eins")]
    [InlineData(16, "sechzehn")]
    [InlineData(21, "einundzwanzig")]
    [InlineData(30, "dreißig")]
    [InlineData(99, "neunundneunzig")]
    [InlineData(100, "einhundert")]
    [InlineData(101, "einhunderteins")]
    [InlineData(200, "zweihundert")]
    [InlineData(1000, "eintausend")]
    [InlineData(1234, "eintausendzweihundertvierunddreißig")]
    [InlineData(2000, "zweitausend")]
    [InlineData(1000000, "eine Million")]
    [InlineData(1000001, "eine Million eins")]
    [InlineData(2000000, "zwei Millionen")]
    [InlineData(2500000, "zwei Millionen fünfhunderttausend")]
    [InlineData(1000000000, "eine Milliarde")]
    [InlineData(3000000000, "drei Milliarden")]
    [InlineData(-7, "minus sieben")]
    public void Cardinal_IsNum2WordsGerman(long n, string expected) => Assert.Equal(expected, XttsGermanNumbers.Instance.Cardinal(n));

    [Theory]
    [InlineData(1, "erste")]
    [InlineData(2, "zweite")]
    [InlineData(3, "dritte")]
    [InlineData(7, "siebte")]
    [InlineData(8, "achte")]
    [InlineData(11, "elfte")]
    [InlineData(20, "zwanzigste")]
    [InlineData(21, "einundzwanzigste")]
    [InlineData(100, "hundertste")]
    [InlineData(101, "einhunderterste")]
    [InlineData(1000, "tausendste")]
    [InlineData(1000000, "millionste")]
    [InlineData(2000000, "zweimillionste")]
    public void Ordinal_IsNum2WordsGerman(long n, string expected) => Assert.Equal(expected, XttsGermanNumbers.Instance.Ordinal(n));

    [Theory]
    [InlineData(12.5, "zwölf Komma fünf")]
    [InlineData(0.25, "null Komma zwei fünf")]
    [InlineData(3.0, "drei Komma null")]
    public void Decimal_ReadsEachDigitAfterKomma(double value, string expected) => Assert.Equal(expected, XttsGermanNumbers.Instance.Decimal(value));

    [Theory]
    [InlineData(20.15, "EUR", "zwanzig Euro und fünfzehn Cent")]
    [InlineData(1, "EUR", "ein Euro und null Cent")]
    [InlineData(1.01, "USD", "ein Dollar und ein Cent")]
    [InlineData(21, "GBP", "einundzwanzig Pfund und null Pence")]
    public void Currency_IsNum2WordsGerman(double amount, string currency, string expected) =>
        Assert.Equal(expected, XttsGermanNumbers.Instance.Currency(amount, currency));

    [Theory]
    [InlineData("in 12,5 sekunden.", "in zwölf Komma fünf sekunden.")]
    [InlineData("es gab 50 soldaten.", "es gab fünfzig soldaten.")]
    [InlineData("dies ist ein 1. test", "dies ist ein erste test")]
    [InlineData("das macht $20 herr.", "das macht zwanzig Dollar herr.")]
    [InlineData("das macht 20€ herr.", "das macht zwanzig Euro herr.")]
    [InlineData("das macht 20,15€ herr.", "das macht zwanzig Euro und fünfzehn Cent herr.")]
    [InlineData("am 3. mai um 3.5 uhr", "am dritte mai um drei Komma fünf uhr")]
    public void Expand_Sentence_IsXttsExpandNumbersMultilingual(string text, string expected) => Assert.Equal(expected, Expand(text));
}
