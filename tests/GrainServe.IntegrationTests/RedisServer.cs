using System.Diagnostics;
using System.Net.Sockets;

namespace GrainServe;

/// <summary>The Redis server the multi-process clusters keep membership in, on 127.0.0.1:6379.</summary>
internal static class RedisServer
{
    /// <summary>Where it answers, for StackExchange.Redis.</summary>
    public const string ConnectionString = "127.0.0.1:6379";

    private static readonly SemaphoreSlim Once = new(1, 1);

    /// <summary>Starts it with tools/start-redis.sh when nothing answers there; fails the test if that does not work.</summary>
    public static async Task EnsureRunningAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (await AnswersAsync())
            {
                return;
            }

            var script = Path.Combine(RepoPaths.Root, "tools", "start-redis.sh");
            using var start = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var error = await start.StandardError.ReadToEndAsync();
            await start.WaitForExitAsync();
            Assert.True(await AnswersAsync(), $"Redis is not running on 127.0.0.1:6379 and {script} could not start it: {error}");
        }
        finally
        {
            Once.Release();
        }
    }

    private static async Task<bool> AnswersAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", 6379).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
