namespace GrainServe.Gateway.Auth;

public sealed class ModelGlobTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*", "", true)]
    [InlineData("simple", "simple", true)]
    [InlineData("simple", "simple2", false)]
    [InlineData("simple", "Simple", false)]
    [InlineData("llama-*", "llama-3-8b", true)]
    [InlineData("llama-*", "llama-", true)]
    [InlineData("llama-*", "tiny-llama-3", false)]
    [InlineData("*-instruct", "qwen-7b-instruct", true)]
    [InlineData("*-instruct", "qwen-7b-instruct-v2", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("whisper_?", "whisper_s", true)]
    [InlineData("whisper_?", "whisper_sm", false)]
    public void Matches_FollowsTheGlob(string pattern, string model, bool expected)
    {
        Assert.Equal(expected, ModelGlob.Matches(pattern, model));
    }
}
