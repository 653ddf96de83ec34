using GrainServe.Gateway.Auth;
using GrainServe.Generation;

namespace GrainServe.Gateway.Quotas;

public sealed class QuotaGateTests
{
    [Theory]
    [InlineData(0, "1")]
    [InlineData(0.2, "1")]
    [InlineData(4.01, "5")]
    [InlineData(60, "60")]
    public void RetryAfterSeconds_RoundsUpToWholeSecondsAtLeastOne(double seconds, string expected) =>
        Assert.Equal(expected, QuotaGate.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void EstimateTokens_IsThePromptsBytesPlusMaxTokens()
    {
        Assert.Equal(5 + 10, QuotaGate.EstimateTokens(new GenerateRequest { Prompt = "héll", MaxTokens = 10 }));
        Assert.Equal(3, QuotaGate.EstimateTokens(new GenerateRequest { PromptTokenIds = [1, 2, 3] }));
        Assert.Equal(2 + 8 + 4, QuotaGate.EstimateTokens(new GenerateRequest { Messages = [new ChatTurn("user", "hi")], MaxTokens = 4 }));
    }

    [Fact]
    public void Check_QuotaNotPositive_FailsNamingTheField()
    {
        var key = new ApiKeyOptions { Name = "k", Sha256 = new string('a', 64), Scopes = ["infer"], Models = ["*"], Quota = new ApiKeyQuotaOptions { RequestsPerSecond = 0 } };

        var failure = Assert.Single(ApiKeyRules.Check([(key, "keys[0]")]));

        Assert.Contains("\"requests_per_second\" is 0", failure, StringComparison.Ordinal);
    }
}
