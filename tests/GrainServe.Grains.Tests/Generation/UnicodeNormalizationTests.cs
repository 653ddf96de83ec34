namespace GrainServe.Generation;

/// <summary>
/// NFC and NFKC from the server's own tables. Each expectation is what Python 3.11's unicodedata (Unicode 14.0.0)
/// gives for the same text; .NET's string.Normalize would return the text unchanged here (invariant globalization).
/// </summary>
public sealed class UnicodeNormalizationTests
{
    [Theory]
    [InlineData("\uFB01ne \u2460\u2461", "fine 12")]
    [InlineData("\uFF21\uFF22\uFF23\uFF11\uFF12\uFF13", "ABC123")]
    [InlineData("e\u0301te\u0301", "\u00E9t\u00E9")]
    [InlineData("\uFF76\uFF9E\uFF77\uFF9E", "\u30AC\u30AE")]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]
    [InlineData("A\u030A\u0323", "\u1EA0\u030A")]
    [InlineData("a\u0328\u0301\u0323", "\u0105\u0323\u0301")]
    [InlineData("\u1E9B\u0323", "\u1E69")]
    [InlineData("\u337F", "\u682A\u5F0F\u4F1A\u793E")]
    [InlineData("\u0301a", "\u0301a")]
    [InlineData("\uD55C\uAD6D\uC5B4", "\uD55C\uAD6D\uC5B4")]
    [InlineData("x\u0345\u0300\u0315\u0301", "x\u0300\u0301\u0315\u0345")]
    [InlineData("plain ascii", "plain ascii")]
    public void Nfkc_Text_AsUnicodeDefinesIt(string text, string expected) =>
        Assert.Equal(expected, UnicodeNormalization.Nfkc(text));

    [Theory]
    [InlineData("\uFB01ne \u2460", "\uFB01ne \u2460")]
    [InlineData("e\u0301te\u0301", "\u00E9t\u00E9")]
    [InlineData("\uFF76\uFF9E", "\uFF76\uFF9E")]
    [InlineData("\u1E9B\u0323", "\u1E9B\u0323")]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]
    public void Nfc_Text_ComposesWithoutCompatibilityMappings(string text, string expected) =>
        Assert.Equal(expected, UnicodeNormalization.Nfc(text));

    [Fact]
    public void Nfkc_OutputNormalizedAgain_Unchanged()
    {
        // NFKC is idempotent: what it returns is already normalized.
        foreach (var text in new[] { "\uFB01ne \u2460\u2461", "\uFF76\uFF9E\uFF77\uFF9E", "a\u0328\u0301\u0323", "\u337F 한국어 e\u0301" })
        {
            var once = UnicodeNormalization.Nfkc(text);
            Assert.Equal(once, UnicodeNormalization.Nfkc(once));
        }
    }
}
