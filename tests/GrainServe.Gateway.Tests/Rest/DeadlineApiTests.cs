using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Rest;

[Collection(DeadlineGatewayCollection.Name)]
public sealed class DeadlineApiTests(DeadlineGatewayFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> InferAsync(string model, string body, string? deadlineMs = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (deadlineMs is not null)
        {
            request.Headers.Add(DeadlineHeader.Name, deadlineMs);
        }

        var response = await fixture.Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!, response);
    }

    private async Task<long> ExecutionsAsync(string model) =>
        JsonNode.Parse(await fixture.Http.GetStringAsync($"/v2/models/{model}/stats"))!["model_stats"]![0]!["execution_count"]!.GetValue<long>();

    [Fact]
    public async Task Infer_DeadlineAlreadyPassed_Is504WithTheErrorBodyAndNeverRuns()
    {
        var before = await ExecutionsAsync(DeadlineGatewayFixture.Levels);

        var (status, body, response) = await InferAsync(DeadlineGatewayFixture.Levels, DeadlineGatewayFixture.Body(), deadlineMs: "0");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("deadline", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal(before, await ExecutionsAsync(DeadlineGatewayFixture.Levels));
    }

    [Fact]
    public async Task Infer_DeadlineShorterThanTheInstancesBatchTime_Is504AtOnceFromItsQueue()
    {
        var before = await ExecutionsAsync(DeadlineGatewayFixture.Slow);
        var started = Stopwatch.GetTimestamp();

        var (status, body, _) = await InferAsync(DeadlineGatewayFixture.Slow, DeadlineGatewayFixture.Body(), deadlineMs: "500");

        // Its batch would take a second: the queue says so at once instead of running it for an answer nobody waits for.
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("cannot be answered by its deadline", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < DeadlineGatewayFixture.SlowBatch, $"answered after {Stopwatch.GetElapsedTime(started).TotalMilliseconds} ms");
        Assert.Equal(before, await ExecutionsAsync(DeadlineGatewayFixture.Slow));
    }

    [Fact]
    public async Task Infer_DeadlineLongEnough_Is200()
    {
        var (status, body, _) = await InferAsync(DeadlineGatewayFixture.Levels, DeadlineGatewayFixture.Body(), deadlineMs: "30000");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([2f, 4f, 6f, 8f], body["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("100000000000")]
    public async Task Infer_MalformedDeadlineHeader_Is400(string value)
    {
        var (status, body, _) = await InferAsync(DeadlineGatewayFixture.Levels, DeadlineGatewayFixture.Body(), deadlineMs: value);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(DeadlineHeader.Name, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3", "priority 3 is out of range: model 'levels' has priority levels 1 (the highest) to 2")]
    [InlineData("\"high\"", "parameter \"priority\" is 'high'")]
    public async Task Infer_PriorityOutOfRangeOrNotANumber_Is400(string priority, string expected)
    {
        var (status, body, _) = await InferAsync(DeadlineGatewayFixture.Levels, DeadlineGatewayFixture.Body($$"""
            "parameters":{"priority":{{priority}}},
            """));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    public async Task Infer_PriorityInRange_Is200(string priority)
    {
        var (status, _, _) = await InferAsync(DeadlineGatewayFixture.Levels, DeadlineGatewayFixture.Body($$"""
            "parameters":{"priority":{{priority}}},
            """));

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
