using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

public sealed class GenerationEngineValidationTests
{
    private static readonly FakeTokenDecoder Decoder = new();

    private static GenerationEngine Engine(EngineOptions? options = null) =>
        new(new FakeStepModel { MaxContextLength = 1000 }, Decoder, options ?? new EngineOptions { KvCacheBytes = 4096 });

    private static GenerationRequest Request(SamplingParameters? sampling = null, int[]? prompt = null) =>
        new(prompt ?? [2, 3], sampling ?? new SamplingParameters(), []);

    public static TheoryData<SamplingParameters, string> BadSampling() => new()
    {
        { new SamplingParameters { MaxTokens = 0 }, "max_tokens" },
        { new SamplingParameters { Temperature = -0.1f }, "temperature" },
        { new SamplingParameters { Temperature = float.NaN }, "temperature" },
        { new SamplingParameters { TopP = 0f }, "top_p" },
        { new SamplingParameters { TopP = 1.01f }, "top_p" },
        { new SamplingParameters { TopK = -2 }, "top_k" },
        { new SamplingParameters { MinP = -0.01f }, "min_p" },
        { new SamplingParameters { MinP = 1.5f }, "min_p" },
        { new SamplingParameters { RepetitionPenalty = 0f }, "repetition_penalty" },
        { new SamplingParameters { PresencePenalty = 2.5f }, "presence_penalty" },
        { new SamplingParameters { FrequencyPenalty = -2.01f }, "frequency_penalty" },
        { new SamplingParameters { TopLogprobs = 21 }, "top_logprobs" },
        { new SamplingParameters { TopLogprobs = -1 }, "top_logprobs" },
    };

    [Theory]
    [MemberData(nameof(BadSampling))]
    public async Task Validate_BadSamplingValue_NamesTheField(SamplingParameters sampling, string field)
    {
        await using var engine = Engine();

        var message = engine.Validate(Request(sampling));

        Assert.NotNull(message);
        Assert.StartsWith(field, message);
    }

    [Fact]
    public async Task Validate_GoodRequestAtTheEdges_IsNull()
    {
        await using var engine = Engine();
        var sampling = new SamplingParameters { Temperature = 0, TopP = 1, TopK = -1, MinP = 1, PresencePenalty = -2, FrequencyPenalty = 2, TopLogprobs = 20, MaxTokens = 998 };

        Assert.Null(engine.Validate(Request(sampling)));
    }

    [Fact]
    public async Task Validate_EmptyPrompt_SaysSo()
    {
        await using var engine = Engine();

        Assert.Contains("prompt is empty", engine.Validate(Request(prompt: [])));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(FakeStepModel.Vocabulary)]
    public async Task Validate_TokenOutsideTheVocabulary_NamesTokenAndPosition(int token)
    {
        await using var engine = Engine();

        var message = engine.Validate(Request(prompt: [2, token]));

        Assert.Contains($"prompt token {token} at position 1", message);
        Assert.Contains("vocabulary of 50", message);
    }

    [Fact]
    public async Task Validate_PromptPlusMaxTokensPastTheContext_NamesMaxTokensAndTheLimit()
    {
        await using var engine = Engine();

        var message = engine.Validate(Request(new SamplingParameters { MaxTokens = 999 }));

        Assert.Contains("max_tokens (999)", message);
        Assert.Contains("maximum of 1000", message);
    }

    [Fact]
    public async Task MaxSequenceTokens_PoolSmallerThanTheContext_IsThePool()
    {
        await using var engine = Engine(new EngineOptions { KvCacheBytes = 100, BlockSize = 16, MaxModelLen = 2000 });

        Assert.Equal(96, engine.MaxSequenceTokens);
        Assert.Equal(1000, engine.Options.MaxModelLen);
        Assert.Contains("maximum of 96", engine.Validate(Request(new SamplingParameters { MaxTokens = 95 })));
    }

    [Fact]
    public async Task Submit_InvalidRequest_ThrowsArgumentException()
    {
        await using var engine = Engine();

        var error = Assert.Throws<ArgumentException>(() => engine.Submit(Request(new SamplingParameters { MaxTokens = 0 }), default));

        Assert.StartsWith("max_tokens", error.Message);
    }

    public static TheoryData<EngineOptions, string> BadOptions() => new()
    {
        { new EngineOptions { KvCacheBytes = 15, BlockSize = 16 }, "KvCacheBytes" },
        { new EngineOptions { KvCacheBytes = 4096, MaxNumSeqs = 0 }, "MaxNumSeqs" },
        { new EngineOptions { KvCacheBytes = 4096, MaxNumBatchedTokens = 0 }, "MaxNumBatchedTokens" },
        { new EngineOptions { KvCacheBytes = 4096, BlockSize = 0 }, "BlockSize" },
        { new EngineOptions { KvCacheBytes = 4096, MaxModelLen = 0 }, "MaxModelLen" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Constructor_BadOptions_ThrowsWithAFix(EngineOptions options, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => new GenerationEngine(new FakeStepModel(), Decoder, options));

        Assert.Contains(field, error.Message);
        Assert.Contains("set it to at least", error.Message);
    }

    [Fact]
    public void Constructor_SeveralBadOptions_ReportsEveryOne()
    {
        var error = Assert.Throws<ArgumentException>(() => new GenerationEngine(new FakeStepModel(), Decoder, new EngineOptions { MaxNumSeqs = 0, MaxNumBatchedTokens = 0 }));

        Assert.Contains("MaxNumSeqs", error.Message);
        Assert.Contains("MaxNumBatchedTokens", error.Message);
        Assert.Contains("KvCacheBytes", error.Message);
    }
}
