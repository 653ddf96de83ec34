namespace GrainServe.Speech.Whisper;

public sealed class TimestampRulesTests
{
    private static readonly WhisperSpecialTokens Tokens = WhisperSpecialTokens.After(50257, WhisperLanguages.First(99));
    private const int Eot = 50257;
    private const int NoTimestamps = 50363;
    private const int Begin = 50364;
    private const int Size = 51865;
    private const int Text = 1002;

    private static float[] Zeros() => new float[Size];

    private static int[] Suppressed(float[] logits) =>
        Enumerable.Range(0, logits.Length).Where(i => float.IsNegativeInfinity(logits[i])).ToArray();

    private static int[] Range(int start, int end) => Enumerable.Range(start, end - start).ToArray();

    [Fact]
    public void Apply_MidText_NoTimestampsAndNotPastLastTimestamp()
    {
        var logits = Zeros();
        logits[Text] = 100f;

        new TimestampRules(Tokens, 50).Apply(logits, [Begin, Text, Text]);

        // The next timestamp must be later than <|0.00|>, the last one, since text came after it.
        Assert.Equal([NoTimestamps, Begin], Suppressed(logits));
    }

    [Fact]
    public void Apply_MidTextTimestampsLikelier_TextSuppressed()
    {
        var logits = Zeros();

        new TimestampRules(Tokens, 50).Apply(logits, [Begin, Text, Text]);

        // logsumexp of the 1500 timestamps after <|0.00|>, each 0, is ln 1500 > 0, the best text logit.
        Assert.Equal(Range(0, Begin + 1), Suppressed(logits));
    }

    [Fact]
    public void Apply_FirstPosition_TimestampUpToMaxInitial()
    {
        var logits = Zeros();

        new TimestampRules(Tokens, 50).Apply(logits, []);

        Assert.Equal([.. Range(0, Begin), .. Range(Begin + 51, Size)], Suppressed(logits));
    }

    [Fact]
    public void Apply_FirstPositionNoLimit_EveryTimestampAllowed()
    {
        var logits = Zeros();

        new TimestampRules(Tokens, null).Apply(logits, []);

        Assert.Equal(Range(0, Begin), Suppressed(logits));
    }

    [Fact]
    public void Apply_AfterTextThenTimestamp_TimestampOrEotNoEarlier()
    {
        var logits = Zeros();
        logits[Eot] = 100f;

        new TimestampRules(Tokens, 50).Apply(logits, [Begin, Text, Begin + 10]);

        // Text below EOT is out; EOT and the specials after it stay (NoTimestamps excepted); the closing timestamp
        // may be repeated as the next segment's start.
        Assert.Equal([.. Range(0, Eot), NoTimestamps, .. Range(Begin, Begin + 10)], Suppressed(logits));
        Assert.Equal(100f, logits[Eot]);
        Assert.Equal(0f, logits[Begin + 10]);
    }

    [Fact]
    public void Apply_AfterPair_TextMustFollow()
    {
        var logits = Zeros();
        logits[Text] = 100f;

        new TimestampRules(Tokens, 50).Apply(logits, [Begin, Text, Begin + 10, Begin + 10]);

        Assert.Equal([NoTimestamps, .. Range(Begin, Size)], Suppressed(logits));
    }

    [Fact]
    public void Apply_LoneFirstTimestamp_TextMustFollow()
    {
        var logits = Zeros();
        logits[Text] = 100f;

        new TimestampRules(Tokens, 50).Apply(logits, [Begin + 3]);

        Assert.Equal([NoTimestamps, .. Range(Begin, Size)], Suppressed(logits));
    }

    [Fact]
    public void Apply_AfterTimestampThenText_LaterTimestampOnly()
    {
        var logits = Zeros();
        logits[Text] = 100f;

        new TimestampRules(Tokens, 50).Apply(logits, [Begin + 5, Text]);

        // Strictly later than <|0.10|>: a segment cannot be empty.
        Assert.Equal([NoTimestamps, .. Range(Begin, Begin + 6)], Suppressed(logits));
    }

    [Theory]
    [InlineData(7.0f, true)]
    [InlineData(7.5f, false)]
    public void Apply_TimestampMassAgainstBestText_ForcesTimestamp(float bestText, bool textSuppressed)
    {
        var logits = Zeros();
        logits.AsSpan(0, Begin).Fill(-10f);
        logits[Text] = bestText;

        // After [<|0.00|>, text] the 1500 timestamps after <|0.00|> stay, each at 0: logsumexp = ln 1500 ≈ 7.313.
        new TimestampRules(Tokens, 50).Apply(logits, [Begin, Text]);

        Assert.Equal(textSuppressed, float.IsNegativeInfinity(logits[Text]));
        Assert.Equal(textSuppressed, float.IsNegativeInfinity(logits[Eot]));
        Assert.Equal(0f, logits[Begin + 1]);
    }

    [Fact]
    public void Apply_AllTimestampsSuppressed_TextKept()
    {
        var logits = Zeros();
        logits.AsSpan(Begin).Fill(float.NegativeInfinity);

        new TimestampRules(Tokens, 50).Apply(logits, [Begin, Text]);

        Assert.Equal(0f, logits[Text]);
    }

    [Theory]
    [InlineData(1.0, 50)]
    [InlineData(0.5, 25)]
    [InlineData(0.01, 0)]
    [InlineData(0.0, null)]
    [InlineData(null, null)]
    public void IndexOf_Seconds_RoundedSteps(double? seconds, int? index)
    {
        Assert.Equal(index, TimestampRules.IndexOf(seconds));
    }
}
