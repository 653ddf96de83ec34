namespace GrainServe.Speech.Xtts;

/// <summary>
/// French numbers as XTTS's cleaner writes them: the words worked out by hand from num2words 0.5.x's
/// <c>lang_FR.py</c> rules (the 0.5.13-era file, with <c>CURRENCY_FORMS</c> and the "quatre-vingts"/"cents" plural
/// rule) over <c>Num2Word_EU</c>'s cards; the sentences are XTTS's own test cases, lower-cased.
/// </summary>
public sealed class XttsFrenchNumbersTests
{
    private static readonly Func<string, string> Expand = XttsNumbers.For("fr")!;

    [Theory]
    [InlineData(0, "zéro")]
    [InlineData(17, "dix-sept")]
    [InlineData(21, "vingt et un")]
    [InlineData(22, "vingt-deux")]
    [InlineData(70, "soixante-dix")]
    [InlineData(71, "soixante et onze")]
    [InlineData(80, "quatre-vingts")]
    [InlineData(81, "quatre-vingt-un")]
    [InlineData(99, "quatre-vingt-dix-neuf")]
    [InlineData(101, "cent un")]
    [InlineData(200, "deux cents")]
    [InlineData(201, "deux cent un")]
    [InlineData(1980, "mille neuf cent quatre-vingts")]
    [InlineData(2000, "deux mille")]
    [InlineData(80000, "quatre-vingt mille")]
    [InlineData(1000000, "un million")]
    [InlineData(2000000, "deux millions")]
    [InlineData(200000000, "deux cents millions")]
    [InlineData(1000000000, "un milliard")]
    [InlineData(-5, "moins cinq")]
    public void Cardinal_IsNum2WordsFrench(long n, string expected) => Assert.Equal(expected, XttsFrenchNumbers.Instance.Cardinal(n));

    [Theory]
    [InlineData(1, "premier")]
    [InlineData(2, "deuxième")]
    [InlineData(4, "quatrième")]
    [InlineData(5, "cinquième")]
    [InlineData(9, "neuvième")]
    [InlineData(11, "onzième")]
    [InlineData(21, "vingt et unième")]
    [InlineData(100, "centième")]
    [InlineData(1000, "millième")]
    public void Ordinal_IsNum2WordsFrench(long n, string expected) => Assert.Equal(expected, XttsFrenchNumbers.Instance.Ordinal(n));

    [Theory]
    [InlineData(12.5, "douze virgule cinq")]
    [InlineData(3.14, "trois virgule un quatre")]
    [InlineData(100000.5, "cent mille virgule cinq")]
    public void Decimal_ReadsEachDigitAfterVirgule(double value, string expected) => Assert.Equal(expected, XttsFrenchNumbers.Instance.Decimal(value));

    [Theory]
    [InlineData(20.15, "EUR", "vingt euros et quinze centimes")]
    [InlineData(1, "EUR", "un euro et zéro centimes")]
    [InlineData(21, "USD", "vingt et un dollars et zéro cents")]
    [InlineData(2.01, "GBP", "deux livres et un penny")]
    public void Currency_IsNum2WordsFrench(double amount, string currency, string expected) =>
        Assert.Equal(expected, XttsFrenchNumbers.Instance.Currency(amount, currency));

    [Theory]
    [InlineData("en 12,5 secondes.", "en douze virgule cinq secondes.")]
    [InlineData("il y avait 50 soldats.", "il y avait cinquante soldats.")]
    [InlineData("ceci est un 1er test", "ceci est un premier test")]
    [InlineData("cela vous fera $20 monsieur.", "cela vous fera vingt dollars monsieur.")]
    [InlineData("cela vous fera 20€ monsieur.", "cela vous fera vingt euros monsieur.")]
    [InlineData("cela vous fera 20,15€ monsieur.", "cela vous fera vingt euros et quinze centimes monsieur.")]
    [InlineData("ce sera 100.000,5.", "ce sera cent mille virgule cinq.")]
    [InlineData("21$ et la 2ème place", "vingt et un dollars et la deuxième place")]
    public void Expand_Sentence_IsXttsExpandNumbersMultilingual(string text, string expected) => Assert.Equal(expected, Expand(text));
}
