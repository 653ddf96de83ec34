using System.Threading.Channels;

namespace GrainServe.Generation.TestSupport;

/// <summary>Reads a sequence's updates to the end, failing rather than hanging.</summary>
public static class Updates
{
    public static async Task<List<GenerationUpdate>> ReadAllAsync(ChannelReader<GenerationUpdate> reader, Action<GenerationUpdate>? onUpdate = null)
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token))
        {
            updates.Add(update);
            onUpdate?.Invoke(update);
        }

        Assert.Single(updates, u => u.Finish is not null);
        Assert.NotNull(updates[^1].Finish);
        return updates;
    }

    public static int[] Tokens(this IEnumerable<GenerationUpdate> updates) => [.. updates.SelectMany(u => u.TokenIds)];

    public static string Text(this IEnumerable<GenerationUpdate> updates) => string.Concat(updates.Select(u => u.Text));
}
