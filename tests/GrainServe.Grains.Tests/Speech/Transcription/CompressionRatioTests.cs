namespace GrainServe.Speech.Transcription;

/// <summary>
/// Ratios against Python 3's <c>len(b) / len(zlib.compress(b))</c> (zlib 1.2.13, default level 6), computed once and
/// written here as byte counts. The beach, Gettysburg and "and then" texts are where .NET's level 6 (zlib-ng) is
/// 3 bytes longer, 5 shorter and 6 longer than zlib's.
/// </summary>
public sealed class CompressionRatioTests
{
    private const string Gettysburg =
        "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, " +
        "and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing " +
        "whether that nation, or any nation so conceived and so dedicated, can long endure. We are met on a great " +
        "battle-field of that war. We have come to dedicate a portion of that field, as a final resting place for those " +
        "who here gave their lives that that nation might live. It is altogether fitting and proper that we should do this.";

    [Theory]
    [InlineData("", 0, 8)]
    [InlineData("hello", 5, 13)]
    [InlineData("The beach was a popular spot on a hot summer day.", 49, 54)]
    [InlineData("Ça va? Größe, naïve café. 日本語のテキスト", 55, 66)]
    [InlineData("So we went to the store and then we went to the park and then we went home and then we went to sleep.", 101, 55)]
    [InlineData(Gettysburg, 556, 306)]
    public void Of_Text_MatchesPythonsZlib(string text, int utf8Bytes, int zlibBytes)
    {
        Assert.Equal((double)utf8Bytes / zlibBytes, CompressionRatio.Of(text));
    }

    [Fact]
    public void Of_RepeatedPhrase_MatchesPythonsZlibFarAboveTheThreshold()
    {
        // Python: 983 bytes to 80.
        var text = string.Join(' ', Enumerable.Repeat("and then we went home and then", 30)) + " and finally we slept well that night after all of it.";

        Assert.Equal(983.0 / 80, CompressionRatio.Of(text));
    }

    [Fact]
    public void Of_RepeatedWord_MatchesPythonsZlib()
    {
        // Python: 80 bytes to 15.
        Assert.Equal(80.0 / 15, CompressionRatio.Of(string.Concat(Enumerable.Repeat(" the", 20))));
    }

    [Fact]
    public void Of_RepeatedSentence_MatchesPythonsZlib()
    {
        // Python: 249 bytes to 36.
        var text = string.Join(' ', Enumerable.Repeat("I am going to the store.", 10));

        Assert.Equal(249.0 / 36, CompressionRatio.Of(text));
    }
}
