using System.Collections.Concurrent;

namespace GrainServe.Bench;

/// <summary>One kind of request the soak sends, with its counts: sent, answered (any status), non-2xx answers by status, and lost (no answer at all).</summary>
internal sealed class SoakRoute(string name, Func<int, Task<int>> send)
{
    private long _sent;
    private long _answered;
    private long _lost;

    public string Name { get; } = name;

    public long Sent => Interlocked.Read(ref _sent);

    public long Answered => Interlocked.Read(ref _answered);

    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Answers that were not 2xx, by status.</summary>
    public ConcurrentDictionary<int, long> Failures { get; } = new();

    /// <summary>Sends one request; the sender returns the HTTP status (gRPC's are mapped to theirs) or throws when no answer came.</summary>
    public async Task SendAsync(int sequence)
    {
        Interlocked.Increment(ref _sent);
        int status;
        try
        {
            status = await send(sequence);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException)
        {
            Interlocked.Increment(ref _lost);
            Console.Error.WriteLine($"soak {Name}: no answer: {ex.Message}");
            return;
        }

        Interlocked.Increment(ref _answered);
        if (status is < 200 or >= 300)
        {
            Failures.AddOrUpdate(status, 1, (_, n) => n + 1);
        }
    }
}
