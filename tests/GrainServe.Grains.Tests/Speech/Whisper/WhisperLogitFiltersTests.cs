namespace GrainServe.Speech.Whisper;

public sealed class WhisperLogitFiltersTests
{
    private static int[] Suppressed(float[] logits) =>
        Enumerable.Range(0, logits.Length).Where(i => float.IsNegativeInfinity(logits[i])).ToArray();

    [Fact]
    public void SuppressBlank_FirstPosition_SpaceAndEot()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(SuppressBlank_FirstPosition_SpaceAndEot)) is not { } tokenizer)
        {
            return;
        }

        var filter = new SuppressBlank(tokenizer);
        var logits = new float[tokenizer.VocabularySize];

        filter.Apply(logits, []);

        // Hugging Face's openai/whisper-tiny generation_config.json begin_suppress_tokens.
        Assert.Equal([220, 50257], filter.Tokens);
        Assert.Equal([220, 50257], Suppressed(logits));
    }

    [Fact]
    public void SuppressBlank_Gpt2_SpaceAndEnglishEot()
    {
        if (WhisperTestTokenizers.Gpt2Tiktoken(nameof(SuppressBlank_Gpt2_SpaceAndEnglishEot)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal([220, 50256], new SuppressBlank(tokenizer).Tokens);
    }

    [Fact]
    public void SuppressBlank_LaterPosition_Unchanged()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(SuppressBlank_LaterPosition_Unchanged)) is not { } tokenizer)
        {
            return;
        }

        var logits = new float[tokenizer.VocabularySize];

        new SuppressBlank(tokenizer).Apply(logits, [50364]);

        Assert.Empty(Suppressed(logits));
    }

    [Fact]
    public void SuppressTokensFilter_EveryStep_ExactlyTheSet()
    {
        var logits = new float[100];
        var filter = new SuppressTokensFilter([42, 7, 42, 99, 150]);

        filter.Apply(logits, [1, 2, 3]);

        Assert.Equal([7, 42, 99, 150], filter.Tokens);
        Assert.Equal([7, 42, 99], Suppressed(logits));
    }

    [Fact]
    public void Chain_Apply_InOrder()
    {
        var log = new List<string>();
        var chain = new WhisperLogitFilterChain([new Recording("a", log), new Recording("b", log), new Recording("c", log)]);
        var logits = new float[4];

        chain.Apply(logits, [9]);

        Assert.Equal(["a:0", "b:1", "c:2"], log);
        Assert.Equal([1f, 1f, 1f, 0f], logits);
    }

    [Fact]
    public void ForDecoding_Defaults_SuppressBlankTokensTimestampRules()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(ForDecoding_Defaults_SuppressBlankTokensTimestampRules)) is not { } tokenizer)
        {
            return;
        }

        var chain = WhisperLogitFilterChain.ForDecoding(tokenizer, suppressBlank: true, tokenizer.SuppressTokens("-1"), withoutTimestamps: false, maxInitialTimestampSeconds: 1.0);

        Assert.Equal([typeof(SuppressBlank), typeof(SuppressTokensFilter), typeof(TimestampRules)], chain.Filters.Select(f => f.GetType()));
        Assert.Equal(50, ((TimestampRules)chain.Filters[2]).MaxInitialTimestampIndex);
    }

    [Fact]
    public void ForDecoding_WithoutTimestampsNoSuppression_Empty()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(ForDecoding_WithoutTimestampsNoSuppression_Empty)) is not { } tokenizer)
        {
            return;
        }

        var chain = WhisperLogitFilterChain.ForDecoding(tokenizer, suppressBlank: false, tokenizer.SuppressTokens(""), withoutTimestamps: true, maxInitialTimestampSeconds: 1.0);

        Assert.Empty(chain.Filters);
    }

    // Adds 1 to the logit at its position in the chain's order and records the logits' running sum.
    private sealed class Recording(string name, List<string> log) : IWhisperLogitFilter
    {
        public void Apply(Span<float> logits, ReadOnlySpan<int> sampled)
        {
            var sum = 0f;
            foreach (var logit in logits)
            {
                sum += logit;
            }

            log.Add($"{name}:{sum}");
            logits[log.Count - 1] += 1f;
        }
    }
}
