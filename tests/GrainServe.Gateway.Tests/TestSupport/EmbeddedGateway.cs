using Microsoft.AspNetCore.Builder;

namespace GrainServe.TestSupport;

/// <summary>What every test fixture does with its embedded gateway: wait until it is ready, and stop it.</summary>
public static class EmbeddedGateway
{
    /// <summary>Waits until <c>/v2/health/ready</c> answers 200 (the start-up load pass is over), as a readiness probe would.</summary>
    public static async Task WaitReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await http.GetAsync("/v2/health/ready")).StatusCode != System.Net.HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the gateway did not become ready within 60 s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops and disposes <paramref name="app"/>, when it was built.</summary>
    public static async Task StopAsync(WebApplication? app)
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
