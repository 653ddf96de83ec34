using GrainServe.Gpu;
using GrainServe.Models;

namespace GrainServe.Routing;

/// <summary>
/// One model as a gateway holds it: its latest routing table and a slot per instance. Requests read it without locks
/// (the table and the slot map are replaced whole); only the refresh loop and failover replace them.
/// </summary>
internal sealed class RoutedModel
{
    private readonly IGrainFactory _grains;
    private volatile State _state;
    private long _lastUsedTicks;
    private Dictionary<string, VersionTrafficCounts> _traffic = new(StringComparer.Ordinal);

    public RoutedModel(IGrainFactory grains, RoutingTable table, DateTimeOffset now)
    {
        _grains = grains;
        _state = Build(table, new Dictionary<string, InstanceSlot>(StringComparer.Ordinal));
        Touch(now);
    }

    public RoutingTable Table => _state.Table;

    /// <summary>The weighted choice among the table's ready versions; null when the model has no traffic split.</summary>
    public VersionSelector? Selector => _state.Selector;

    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);

    /// <summary>
    /// Takes a newer table (or, with <paramref name="authoritative"/>, the grain's answer to a recovery, which also undoes
    /// local exclusions at the same revision); slots of instances that stay keep their counts.
    /// </summary>
    public void Apply(RoutingTable table, bool authoritative = false)
    {
        lock (_grains)
        {
            if (table.Revision > _state.Table.Revision || (authoritative && table.Revision == _state.Table.Revision))
            {
                _state = Build(table, _state.Slots);
            }
        }
    }

    /// <summary>
    /// Stops routing to an instance a request found gone, at once and whatever the model grain answers (it may itself be
    /// moving to another silo). The table keeps its revision, so the grain's next table replaces this edit.
    /// </summary>
    public void Exclude(InstanceSlot slot)
    {
        lock (_grains)
        {
            var table = _state.Table;
            var versions = table.Versions
                .Select(v => v.Version != slot.Version ? v : v with
                {
                    Instances = v.Instances.Where(i => i.InstanceId != slot.InstanceId || i.DeviceKey != slot.DeviceKey).ToArray(),
                })
                .ToArray();
            _state = Build(table with { Versions = versions }, _state.Slots);
        }
    }

    /// <summary>The slots of one version's instances, in the table's order.</summary>
    public IReadOnlyList<InstanceSlot> SlotsOf(RoutedVersion version)
    {
        var slots = _state.Slots;
        var result = new List<InstanceSlot>(version.Instances.Length);
        foreach (var instance in version.Instances)
        {
            if (slots.TryGetValue(KeyOf(instance), out var slot))
            {
                result.Add(slot);
            }
        }

        return result;
    }

    /// <summary>Counts one answered (or failed) request of <paramref name="version"/>, for the next report.</summary>
    public void Record(string version, TimeSpan latency, bool failed)
    {
        lock (_grains)
        {
            var counts = CountsOf(version);
            counts.Requests++;
            counts.Errors += failed ? 1 : 0;
            counts.Latency.Add(latency);
        }
    }

    /// <summary>Counts one mirrored copy sent to <paramref name="version"/>.</summary>
    public void RecordMirrored(string version)
    {
        lock (_grains)
        {
            CountsOf(version).Mirrored++;
        }
    }

    /// <summary>The figures counted since the previous call (null when there are none), for the report to the model grain.</summary>
    public Dictionary<string, VersionTrafficCounts>? TakeTraffic()
    {
        lock (_grains)
        {
            if (_traffic.Count == 0)
            {
                return null;
            }

            var taken = _traffic;
            _traffic = new Dictionary<string, VersionTrafficCounts>(StringComparer.Ordinal);
            return taken;
        }
    }

    /// <summary>
    /// Puts back counts that <see cref="TakeTraffic"/> handed out but no report delivered (the model grain's silo was
    /// unreachable), so the next report carries them and canary analysis sees every request.
    /// </summary>
    public void ReturnTraffic(Dictionary<string, VersionTrafficCounts>? taken)
    {
        if (taken is null)
        {
            return;
        }

        lock (_grains)
        {
            foreach (var (version, returned) in taken)
            {
                // Added into counts of this gateway's own: the grain call may still hold the objects it was given.
                CountsOf(version).Add(returned);
            }
        }
    }

    /// <summary>This gateway's requests in flight per version, for its report to the model grain.</summary>
    public Dictionary<string, int> Ongoing()
    {
        var ongoing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var slot in _state.Slots.Values)
        {
            ongoing[slot.Version] = ongoing.GetValueOrDefault(slot.Version) + slot.InFlight;
        }

        return ongoing;
    }

    private State Build(RoutingTable table, Dictionary<string, InstanceSlot> previous)
    {
        var slots = new Dictionary<string, InstanceSlot>(StringComparer.Ordinal);
        foreach (var version in table.Versions)
        {
            foreach (var instance in version.Instances)
            {
                slots[KeyOf(instance)] = previous.TryGetValue(KeyOf(instance), out var kept)
                    ? kept
                    : new InstanceSlot(version.Version, instance.InstanceId, instance.DeviceKey, _grains.GetGrain<IGpuGrain>(instance.DeviceKey));
            }
        }

        // Proportional weights among versions that can take traffic now: a version only takes traffic once ready.
        VersionSelector? selector = null;
        if (table.Versions.Any(v => v.Weight is not null))
        {
            var weights = table.Versions.Where(v => v.Weight is not null).ToDictionary(v => v.Version, v => v.Weight!.Value, StringComparer.Ordinal);
            var ready = table.Versions.Where(VersionChoice.IsServing).Select(v => v.Version).ToHashSet(StringComparer.Ordinal);
            selector = VersionSelector.ForReady(weights, ready, Random.Shared);
        }

        return new State(table, slots, selector);
    }

    private VersionTrafficCounts CountsOf(string version)
    {
        if (!_traffic.TryGetValue(version, out var counts))
        {
            _traffic[version] = counts = new VersionTrafficCounts();
        }

        return counts;
    }

    // Instance ids are unique on their device only.
    private static string KeyOf(RoutedInstance instance) => $"{instance.DeviceKey}|{instance.InstanceId}";

    private sealed record State(RoutingTable Table, Dictionary<string, InstanceSlot> Slots, VersionSelector? Selector);
}
