using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;
using Microsoft.Playwright;

namespace GrainServe.Gateway.Operator;

/// <summary>The operator page in a real headless Chromium: what it shows after a refresh against what the API answers.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OperatorPageBrowserTests(GatewayFixture fixture)
{
    private const string Good = """{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","data":[3,4]}]}""";
    private const string WrongShape = """{"inputs":[{"name":"INPUT0","shape":[1,3],"datatype":"FP32","data":[3,4,5]}]}""";

    // Everything the page shows that the test checks, read in one go so that it all comes from one refresh.
    private const string ReadPage = """
        () => ({
          refreshes: Number(document.body.dataset.refreshes || 0),
          status: document.getElementById("status").textContent,
          summaryDevices: document.querySelector('#summary [data-field="devices"]').textContent,
          devices: [...document.querySelectorAll("#devices tbody tr[data-device]")].map(r => ({
            key: r.dataset.device,
            instances: r.querySelector('[data-field="instances"]').textContent,
            used: r.querySelector('[data-field="memory"]').dataset.used,
            barWidth: r.querySelector(".bar .fill").style.width,
          })),
          models: [...document.querySelectorAll("#models tbody tr.model")].map(r => ({
            name: r.dataset.model,
            versions: r.querySelector('[data-field="versions"]').textContent,
            instances: Number(r.querySelector('[data-field="instances"]').dataset.count),
            requests: r.querySelector('[data-field="requests"]').textContent,
            errors: r.querySelector('[data-field="errors"]').textContent,
            config: r.querySelector('[data-field="details"] a').getAttribute("href"),
          })),
        })
        """;

    [Fact]
    public async Task Page_AfterRequests_ShowsWhatTheApiAnswersAndRefreshes()
    {
        if (!Chromium.Available(nameof(Page_AfterRequests_ShowsWhatTheApiAnswersAndRefreshes)))
        {
            return;
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await InferAsync(Good));
        }

        Assert.Equal(HttpStatusCode.BadRequest, await InferAsync(WrongShape));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            // Containers give /dev/shm 64 MiB, too little for Chromium's renderer.
            Args = ["--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        // A resource refused or missing (a 404, a Content-Security-Policy violation) shows up as a failed request too.
        page.RequestFailed += (_, request) => problems.Add($"{request.Url}: {request.Failure}");

        await page.GotoAsync(fixture.MetricsAddress.ToString());
        // Two refreshes: the page polls, it did not just draw once.
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.refreshes || 0) >= 2", null, new PageWaitForFunctionOptions { Timeout = 30_000 });

        // The page and the API are read a moment apart; instances may move in between, so compare again after the next refresh.
        var (shown, api) = await ReadBothAsync(page);
        for (var attempt = 0; attempt < 5 && !Consistent(shown, api); attempt++)
        {
            var seen = shown.GetProperty("refreshes").GetInt32();
            await page.WaitForFunctionAsync($"() => Number(document.body.dataset.refreshes) > {seen}", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
            (shown, api) = await ReadBothAsync(page);
        }

        var devices = api["silos"]!.AsArray().SelectMany(s => s!["devices"]!.AsArray()).ToList();
        Assert.Equal(devices.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), shown.GetProperty("summaryDevices").GetString());
        Assert.Equal(devices.Select(d => d!["key"]!.GetValue<string>()), shown.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("key").GetString()));
        Assert.All(shown.GetProperty("devices").EnumerateArray(), d => Assert.EndsWith("%", d.GetProperty("barWidth").GetString(), StringComparison.Ordinal));

        var shownModels = shown.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        var apiModels = api["models"]!.AsArray();
        Assert.Equal(apiModels.Count, shownModels.Count);
        foreach (var model in apiModels)
        {
            var name = model!["name"]!.GetValue<string>();
            var row = shownModels[name];
            Assert.Equal(model["instance_count"]!.GetValue<int>(), row.GetProperty("instances").GetInt32());
            Assert.Equal(VersionsText(model), row.GetProperty("versions").GetString());
            Assert.Equal($"api/models/{name}/config", row.GetProperty("config").GetString());
        }

        var used = shownModels[GatewayFixture.OperatorPage];
        Assert.Equal("1", used.GetProperty("versions").GetString());
        Assert.Equal("5", used.GetProperty("requests").GetString());
        Assert.Equal("1", used.GetProperty("errors").GetString());
        Assert.StartsWith("updated ", shown.GetProperty("status").GetString(), StringComparison.Ordinal);
        Assert.Empty(problems);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "operator-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Console.WriteLine($"operator page screenshot: {screenshot}");
    }

    private async Task<(JsonElement Shown, JsonNode Api)> ReadBothAsync(IPage page)
    {
        var shown = await page.EvaluateAsync<JsonElement>(ReadPage);
        using var metrics = new HttpClient { BaseAddress = fixture.MetricsAddress };
        var api = JsonNode.Parse(await metrics.GetStringAsync("api/overview"))!;
        return (shown, api);
    }

    private static bool Consistent(JsonElement shown, JsonNode api)
    {
        var rows = shown.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("instances").GetInt32());
        return api["models"]!.AsArray().All(m => rows.TryGetValue(m!["name"]!.GetValue<string>(), out var n) && n == m["instance_count"]!.GetValue<int>());
    }

    private static string VersionsText(JsonNode model)
    {
        var versions = model["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()).ToList();
        return versions.Count == 0 ? "–" : string.Join(", ", versions);
    }

    private async Task<HttpStatusCode> InferAsync(string body)
    {
        using var response = await fixture.Http.PostAsync($"/v2/models/{GatewayFixture.OperatorPage}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
