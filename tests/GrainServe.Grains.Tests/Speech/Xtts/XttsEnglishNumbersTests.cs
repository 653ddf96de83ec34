namespace GrainServe.Speech.Xtts;

/// <summary>English numbers as XTTS's cleaner writes them with num2words 0.5 (its English words, joined as it joins them).</summary>
public sealed class XttsEnglishNumbersTests
{
    [Theory]
    [InlineData(0, "zero")]
    [InlineData(13, "thirteen")]
    [InlineData(21, "twenty-one")]
    [InlineData(40, "forty")]
    [InlineData(100, "one hundred")]
    [InlineData(101, "one hundred and one")]
    [InlineData(999, "nine hundred and ninety-nine")]
    [InlineData(1000, "one thousand")]
    [InlineData(1001, "one thousand and one")]
    [InlineData(1100, "one thousand, one hundred")]
    [InlineData(1234, "one thousand, two hundred and thirty-four")]
    [InlineData(123000, "one hundred and twenty-three thousand")]
    [InlineData(1000000, "one million")]
    [InlineData(1002003, "one million, two thousand and three")]
    [InlineData(2000034, "two million and thirty-four")]
    [InlineData(-15, "minus fifteen")]
    public void Cardinal_IsNum2WordsEnglish(long n, string expected) => Assert.Equal(expected, XttsEnglishNumbers.Cardinal(n));

    [Theory]
    [InlineData(1, "first")]
    [InlineData(3, "third")]
    [InlineData(12, "twelfth")]
    [InlineData(20, "twentieth")]
    [InlineData(21, "twenty-first")]
    [InlineData(100, "one hundredth")]
    [InlineData(1003, "one thousand and third")]
    public void Ordinal_IsNum2WordsEnglish(long n, string expected) => Assert.Equal(expected, XttsEnglishNumbers.Ordinal(n));

    [Theory]
    [InlineData("3.14", "three point one four")]
    [InlineData("0.5", "zero point five")]
    [InlineData("10.05", "ten point zero five")]
    [InlineData("2.50", "two point five")]
    [InlineData("0.00001", "zero point zero zero zero zero one")]
    public void Decimal_ReadsTheShortestDecimalDigitByDigit(string text, string expected) => Assert.Equal(expected, XttsEnglishNumbers.Decimal(text));

    [Theory]
    [InlineData("i paid $5.50 for 2 tickets on the 21st", "i paid five dollars, fifty cents for two tickets on the twenty-first")]
    [InlineData("it costs £1,200", "it costs one thousand, two hundred pounds")]
    [InlineData("10€ each, or $1", "ten euro each, or one dollar")]
    [InlineData("£0.01", "zero pounds, one penny")]
    [InlineData("1,000,000 people walked 3.5 km", "one million people walked three point five km")]
    [InlineData("no digits here", "no digits here")]
    [InlineData("12345678901234567890123", "one two three four five six seven eight nine zero one two three four five six seven eight nine zero one two three")]
    public void Expand_Sentence_WritesEveryNumberOut(string text, string expected) => Assert.Equal(expected, XttsEnglishNumbers.Expand(text));
}
