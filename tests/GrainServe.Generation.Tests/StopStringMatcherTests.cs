namespace GrainServe.Generation;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void Push_StopSplitAcrossPieces_NeverLeaksAndReleasesTheTextBefore()
    {
        var matcher = new StopStringMatcher(["END"]);

        Assert.Equal("he", matcher.Push("he"));
        Assert.Equal("llo ", matcher.Push("llo E"));
        Assert.Equal("", matcher.Push("N"));
        Assert.Null(matcher.Matched);
        Assert.Equal("", matcher.Push("D and more"));
        Assert.Equal("END", matcher.Matched);
        Assert.Equal("", matcher.Push("later"));
    }

    [Fact]
    public void Push_PrefixThatDoesNotMatch_IsReleasedWhenItCannotBeAStop()
    {
        var matcher = new StopStringMatcher(["END"]);

        Assert.Equal("a", matcher.Push("aEN"));
        Assert.Equal("ENx", matcher.Push("x"));
        Assert.Null(matcher.Matched);
    }

    [Fact]
    public void Push_SeveralStops_EarliestOccurrenceWins()
    {
        var matcher = new StopStringMatcher(["world", "lo"]);

        Assert.Equal("hel", matcher.Push("hello world"));
        Assert.Equal("lo", matcher.Matched);
    }

    [Fact]
    public void Push_StopInsideOnePiece_ReleasesTextBeforeIt()
    {
        var matcher = new StopStringMatcher(["\n\n"]);

        Assert.Equal("answer", matcher.Push("answer\n\nQuestion"));
        Assert.Equal("\n\n", matcher.Matched);
    }

    [Fact]
    public void Flush_HeldPrefixAtTheEnd_ReleasesIt()
    {
        var matcher = new StopStringMatcher(["END"]);

        Assert.Equal("ok ", matcher.Push("ok EN"));
        Assert.Equal("EN", matcher.Flush());
    }

    [Fact]
    public void Push_NoStops_ReleasesEverything()
    {
        var matcher = new StopStringMatcher(["", ]);

        Assert.Equal("abc", matcher.Push("abc"));
    }
}
