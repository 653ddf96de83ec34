using System.Text;
using GrainServe.Errors;

namespace GrainServe.Models;

// The control plane's answer to the data plane: the routing table gateways send requests by, and the repair of a
// version whose instance a gateway found gone.
internal sealed partial class ModelGrain
{
    private RoutingTable? _table;
    private string _tableKey = "";

    public async Task<RoutingTable?> GetRoutingTable(long knownRevision, RoutingReport? report)
    {
        await EnsureRoutableAsync();
        if (report is not null)
        {
            _load.Record(report, _time.GetUtcNow());
            if (report.Traffic is { Count: > 0 } traffic)
            {
                await RecordTrafficAsync(traffic, _time.GetUtcNow());
            }

            foreach (var version in _versions.Values)
            {
                MaybeScaleOut(version);
            }
        }

        var table = CurrentTable();
        return table.Revision == knownRevision ? null : table;
    }

    public async Task<RoutingTable> Recover(string version, RoutedInstance? lost)
    {
        await EnsureRoutableAsync();
        var state = _versions.GetValueOrDefault(version);
        if (state is not null && lost is not null
            && state.Instances.Find(s => s.Info.InstanceId == lost.InstanceId && s.Info.DeviceKey == lost.DeviceKey) is { } slot)
        {
            LogInstanceLost(_logger, Name, state.Version, slot.Info.DeviceKey, "a gateway found it gone");
            state.Instances.Remove(slot);
            if (state.Instances.Count == 0)
            {
                SetUnavailable(state, "its instances were lost");
            }
        }

        if (await TryColdStartAsync(state))
        {
            return CurrentTable();
        }

        // A version left without instances is placed again on the devices that remain; one that never placed (no
        // device had joined yet, or a device vanished mid-load) is tried again, at most once per interval.
        // An evicted version is loaded again at once, however recently the last load finished.
        var evicted = TakeEvicted(state);
        var placeAgain = !_unloaded && _definition?.ConfigError is null
            && (state is null || state.Instances.Count == 0)
            && (lost is not null || evicted || DateTimeOffset.UtcNow - _lastLoadFinished > RetryLoadInterval || _loading is { IsCompleted: false });
        if (placeAgain)
        {
            await TryLoadAgainAsync();
        }

        if (evicted)
        {
            CountCacheMiss(state!);
        }

        return CurrentTable();
    }

    // Loads the model on the first table anyone asks for, and again after a load that failed outright; requests that
    // arrive while a load runs wait for it rather than fail.
    private async Task EnsureRoutableAsync()
    {
        if (_unloaded || (_loading is { IsCompleted: true, IsFaulted: false } && _definition is not null))
        {
            return;
        }

        try
        {
            await EnsureLoaded();
        }
        catch (InferenceException ex) when (ex.Code == InferenceErrorCode.ModelNotFound)
        {
            throw;
        }
        catch (Exception ex) when (ex is InferenceException || ClusterFailure.IsUnreachable(ex))
        {
            // The versions carry the reason; the table says they are not ready.
            foreach (var version in (_definition is null ? [] : ServedVersions()).Select(GetVersion).Where(v => v.Instances.Count == 0))
            {
                SetUnavailable(version, $"it could not be placed: {ex.Message}");
            }
        }
    }

    // The table as the grain's state stands now; its revision moves only when its content does, so a gateway that asks
    // twice a second gets "unchanged" (null) nearly always.
    private RoutingTable CurrentTable()
    {
        var weights = WeightsInForce;
        var versions = _versions.Values
            .OrderByDescending(v => v.Number)
            .Select(v => new RoutedVersion
            {
                Version = v.Version,
                State = v.State == ModelReadyState.Ready && v.Instances.Count == 0 ? ZeroInstancesState(v).State : v.State,
                Reason = v.State == ModelReadyState.Ready && v.Instances.Count == 0 ? ZeroInstancesState(v).Reason : v.Reason,
                ModelKind = v.Config is { } config ? ModelKinds.Of(config) : null,
                Instances = v.Instances.Select(s => new RoutedInstance(s.Info.InstanceId, s.Info.DeviceKey)).ToArray(),
                Weight = weights is null ? null : weights.GetValueOrDefault(v.Version),
                ScalesFromZero = ScalesFromZero,
            })
            .ToArray();
        var known = _definition?.Versions.ToArray() ?? [];
        var key = $"{KeyOf(known, versions)}|sticky:{Traffic?.StickyHeader}|mirror:{Traffic?.Mirror?.Version}:{Traffic?.Mirror?.Percent}";
        if (_table is null || key != _tableKey)
        {
            _tableKey = key;
            _table = new RoutingTable
            {
                Model = Name,
                Revision = (_table?.Revision ?? 0) + 1,
                KnownVersions = known,
                Versions = versions,
                StickyHeader = Traffic?.StickyHeader,
                Mirror = Traffic?.Mirror,
            };
        }

        return _table;
    }

    private static string KeyOf(long[] known, RoutedVersion[] versions)
    {
        var key = new StringBuilder().AppendJoin(',', known);
        foreach (var version in versions)
        {
            key.Append('|').Append(version.Version).Append(':').Append(version.Weight).Append(':').Append(version.State).Append(':').Append(version.Reason).Append(':').Append(version.ModelKind);
            key.Append(version.ScalesFromZero ? ":zero" : "");
            foreach (var instance in version.Instances)
            {
                key.Append(':').Append(instance.InstanceId).Append('@').Append(instance.DeviceKey);
            }
        }

        return key.ToString();
    }
}
