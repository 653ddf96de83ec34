using System.Net;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Rest;

[Collection(GatewayCollection.Name)]
public sealed class InstancesApiTests(GatewayFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonNode Body)> GetJsonAsync(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Instances_ModelWithTwoVersions_ListsEachInstanceWithItsDeviceNewestFirst()
    {
        // Metadata loads the model if the start-up pass has not yet.
        await fixture.Http.GetAsync("/v2/models/scale");

        var (status, body) = await GetJsonAsync("/v2/models/scale/instances");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("scale", body["name"]!.GetValue<string>());
        var instances = body["instances"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(["2", "1"], instances.Select(i => i["version"]!.GetValue<string>()));
        Assert.All(instances, i =>
        {
            Assert.Equal("rest-test/cpu0", i["device"]!.GetValue<string>());
            Assert.StartsWith($"scale/{i["version"]!.GetValue<string>()}/", i["instance_id"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("READY", i["state"]!.GetValue<string>());
            Assert.Equal(0, i["pending"]!.GetValue<int>());
            Assert.True(i["memory_bytes"]!.GetValue<long>() > 0);
        });
    }

    [Fact]
    public async Task Instances_OneVersion_ListsOnlyThatVersion()
    {
        await fixture.Http.GetAsync("/v2/models/scale");

        var (status, body) = await GetJsonAsync("/v2/models/scale/versions/1/instances");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", Assert.Single(body["instances"]!.AsArray())!["version"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v2/models/nope/instances", "model 'nope' is not in the repository")]
    [InlineData("/v2/models/scale/versions/9/instances", "model 'scale' has no version 9")]
    public async Task Instances_UnknownModelOrVersion_Returns404WithError(string path, string expected)
    {
        var (status, body) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(expected, body["error"]!.GetValue<string>());
    }
}
