namespace GrainServe.Models;

/// <summary>
/// One version's requests, failures and latency histogram over the last few seconds, kept as a ring of one-second
/// slots so that old seconds fall out without a timer. Gateways' reports and single requests add to the slot of the
/// second they arrive in; <see cref="Snapshot"/> sums the slots of the window.
/// </summary>
/// <remarks>
/// Times are the receiver's clock (the model grain's), never the reporter's, so that gateways with skewed clocks land in
/// the same slots. Not thread-safe: one writer, as a grain is.
/// </remarks>
public sealed class VersionWindow
{
    private readonly Slot[] _slots;

    /// <summary>A window of <paramref name="window"/>, rounded up to whole seconds (at least one).</summary>
    public VersionWindow(TimeSpan window)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, ModelConfigValidator.MaxWindowS);
        _slots = new Slot[seconds];
        for (var i = 0; i < seconds; i++)
        {
            _slots[i] = new Slot();
        }
    }

    /// <summary>The window's length, in whole seconds.</summary>
    public TimeSpan Window => TimeSpan.FromSeconds(_slots.Length);

    /// <summary>Adds one request that took <paramref name="latency"/>, answered at <paramref name="now"/>.</summary>
    public void Record(DateTimeOffset now, TimeSpan latency, bool failed)
    {
        var slot = SlotAt(now);
        slot.Requests++;
        slot.Errors += failed ? 1 : 0;
        slot.Latency.Add(latency);
    }

    /// <summary>Adds a report of <paramref name="requests"/> requests, <paramref name="errors"/> of them failed, received at <paramref name="now"/>.</summary>
    public void Add(DateTimeOffset now, long requests, long errors, LatencyHistogram latency)
    {
        var slot = SlotAt(now);
        slot.Requests += requests;
        slot.Errors += errors;
        slot.Latency.Merge(latency);
    }

    /// <summary>The sums over the window that ends at <paramref name="now"/>: its current second and the ones before.</summary>
    public VersionWindowStats Snapshot(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var requests = 0L;
        var errors = 0L;
        var latency = new LatencyHistogram();
        foreach (var slot in _slots)
        {
            if (slot.Second > second - _slots.Length && slot.Second <= second)
            {
                requests += slot.Requests;
                errors += slot.Errors;
                latency.Merge(slot.Latency);
            }
        }

        return new VersionWindowStats(requests, errors, latency);
    }

    // A slot still holding an older second is emptied before reuse; that second has left the window.
    private Slot SlotAt(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var slot = _slots[(int)(((second % _slots.Length) + _slots.Length) % _slots.Length)];
        if (slot.Second != second)
        {
            slot.Second = second;
            slot.Requests = 0;
            slot.Errors = 0;
            slot.Latency.Clear();
        }

        return slot;
    }

    private sealed class Slot
    {
        public long Second { get; set; } = long.MinValue;

        public long Requests { get; set; }

        public long Errors { get; set; }

        public LatencyHistogram Latency { get; } = new();
    }
}
