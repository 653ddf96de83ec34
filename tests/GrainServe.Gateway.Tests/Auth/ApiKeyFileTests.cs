using System.Text;

namespace GrainServe.Gateway.Auth;

public sealed class ApiKeyFileTests
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void Parse_AValidFile_GivesItsKeys()
    {
        var keys = Parse($$"""
            // Comments and trailing commas are allowed, as people edit this file by hand.
            {"keys": [{"name": "ci", "sha256": "{{Hash.ToUpperInvariant()}}", "scopes": ["infer", "metrics"], "models": ["llama-*", "simple"]},]}
            """);

        var key = Assert.Single(keys);
        Assert.Equal("ci", key.Name);
        Assert.Equal(["infer", "metrics"], key.Scopes);
        Assert.Equal(["llama-*", "simple"], key.Models);
    }

    [Fact]
    public void Parse_AKeyWithAQuota_ReadsItsSnakeCaseLimits()
    {
        var key = Assert.Single(Parse($$$"""
            {"keys": [{"name": "ci", "sha256": "{{{Hash}}}", "scopes": ["infer"], "models": ["*"], "quota": {"requests_per_second": 50, "tokens_per_minute": 100000}}]}
            """));

        Assert.Equal((50, 100000), (key.Quota!.RequestsPerSecond, key.Quota.TokensPerMinute));
    }

    [Theory]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "%H", "scope": ["infer"], "models": ["*"]}]}""", "scope")]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "abc", "scopes": ["infer"], "models": ["*"]}]}""", "sha256sum")]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "%H", "scopes": ["write"], "models": ["*"]}]}""", "the scope 'write' is not known")]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "%H", "scopes": ["infer"]}]}""", "\"models\" must list")]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "%H", "scopes": ["infer"], "models": ["*"]}, {"name": "ci", "sha256": "%G", "scopes": ["infer"], "models": ["*"]}]}""", "used twice")]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "%H", "scopes": ["infer"], "models": ["*"], "quota": {"requests_per_minute": 5}}]}""", "requests_per_minute")]
    [InlineData("""{"keys": [{"name": "ci", "sha256": "%H", "scopes": ["infer"], "models": ["*"], "quota": {"tokens_per_minute": -1}}]}""", "\"tokens_per_minute\" is -1")]
    [InlineData("""{"users": []}""", "users")]
    [InlineData("""[]""", "not a keys file")]
    public void Parse_AFaultyFile_SaysWhatIsWrong(string content, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Parse(content.Replace("%H", Hash, StringComparison.Ordinal).Replace("%G", new string('b', 64), StringComparison.Ordinal)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_AuthOnWithoutKeys_FailsNamingTheSettings()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { Enabled = true });

        Assert.True(result.Failed);
        Assert.Contains("Auth:KeysFile", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_AuthOff_ChecksNothing()
    {
        Assert.True(new AuthOptionsValidator().Validate(null, new AuthOptions { KeysFile = "/nowhere.json" }).Succeeded);
    }

    private static List<ApiKeyOptions> Parse(string content) => ApiKeyFile.Parse(Encoding.UTF8.GetBytes(content), "keys.json");
}
