using GrainServe.Errors;
using GrainServe.Gpu;
using GrainServe.Routing;
using Microsoft.Extensions.Logging;

namespace GrainServe.Models;

// Request-based autoscaling, for a model whose config.json has an autoscaling block (without one none of this runs): a
// grain timer feeds each ready version's Autoscaler the requests in flight its gateways report (GatewayLoad; for a
// text_generation model these are streams, the sequences waiting or running) and applies what it decides. A version
// with min_instances 0 unloads once idle and stays ready at zero; the request that finds it there is held while one
// instance loads (a cold start, through Recover: ModelGrain.ColdStart.cs).
internal sealed partial class ModelGrain
{
    // How often the autoscalers decide: they time their delays between calls, so this is the delays' resolution.
    private static readonly TimeSpan ScalingPeriod = TimeSpan.FromSeconds(1);

    // How long an instance taken out of the table may still receive requests: every gateway refreshes within this.
    private static readonly TimeSpan RetireGrace = 2 * RoutingTables.RefreshPeriod;

    // How long a retired instance may take to answer what it holds before it is unloaded anyway, as long as a drain.
    private static readonly TimeSpan RetireTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan RetirePoll = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, Autoscaler> _autoscalers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _scaleUpRefusals = new(StringComparer.Ordinal);
    private readonly List<RetiringInstance> _retiring = [];
    private AutoscalingConfig? _scalingConfig;
    private IGrainTimer? _scalingTimer;
    private Task? _scaling;

    /// <summary>
    /// The instances a version gets when it loads: <c>instance_group</c>'s count, or with autoscaling
    /// <c>min_instances</c>; at least one either way, so a version that scales from zero is warm after its load and
    /// unloads only once idle for <c>scale_to_zero_delay_s</c>.
    /// </summary>
    internal static int InstancesAtLoad(ModelConfig config) =>
        config.Autoscaling is { } autoscaling ? Math.Max(1, autoscaling.MinInstances) : Math.Max(1, config.InstanceGroup.Sum(g => g.Count));

    public async Task<ModelInstanceStatus[]> GetInstances(string? version)
    {
        // Like statistics, a listing never triggers a load.
        _definition ??= _repository.Find(Name, _configOverride) ?? throw NotFound();
        if (version is not null)
        {
            ThrowIfUnknownVersion(version);
        }

        var listed = _versions.Values
            .SelectMany(v => v.Instances.Select(s => (Version: v, Slot: s, State: ModelReadyState.Ready)))
            .Concat(_retiring.Select(r => (r.Version, r.Slot, State: ModelReadyState.Unloading)))
            .Where(e => version is null || e.Version.Version == version)
            .OrderByDescending(e => e.Version.Number)
            .ToList();
        var live = new Dictionary<string, Dictionary<string, ModelInstanceInfo>>(StringComparer.Ordinal);
        foreach (var device in listed.Select(e => e.Slot).DistinctBy(s => s.Info.DeviceKey))
        {
            try
            {
                live[device.Info.DeviceKey] = (await device.Device.GetInstances()).ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // Its instances are listed as unavailable.
            }
        }

        return listed.Select(e =>
        {
            var info = live.GetValueOrDefault(e.Slot.Info.DeviceKey)?.GetValueOrDefault(e.Slot.Info.InstanceId);
            return new ModelInstanceStatus
            {
                Version = e.Version.Version,
                DeviceKey = e.Slot.Info.DeviceKey,
                InstanceId = e.Slot.Info.InstanceId,
                State = info is null ? ModelReadyState.Unavailable : e.State,
                Pending = info?.Pending ?? 0,
                MemoryBytes = (info ?? e.Slot.Info).MemoryBytes,
            };
        }).ToArray();
    }

    private bool ScalesFromZero => _definition?.Config.Autoscaling is { MinInstances: 0 };

    // Ready with no instance is a state of its own only for a version that scales from zero; elsewhere it means lost.
    private bool IsScaledToZero(ModelVersionState version) =>
        !_unloaded && ScalesFromZero && version.State == ModelReadyState.Ready && version.Instances.Count == 0;

    // The table's state and reason for a version that is ready with no instance.
    private (ModelReadyState State, string? Reason) ZeroInstancesState(ModelVersionState version) =>
        IsScaledToZero(version)
            ? (ModelReadyState.Ready, _coldStartReasons.GetValueOrDefault(version.Version))
            : (ModelReadyState.Unavailable, "its instances were lost");

    // Called once a load placed the versions: from then on the timer scales them.
    private void StartScaling()
    {
        if (_definition?.Config.Autoscaling is not { } config)
        {
            _autoscalers.Clear();
            return;
        }

        if (!ReferenceEquals(config, _scalingConfig))
        {
            // A new config (a load with another one): wishes timed under the old bounds no longer hold.
            _autoscalers.Clear();
            _scalingConfig = config;
        }

        _scalingTimer ??= this.RegisterGrainTimer(ScaleTickAsync, ScalingPeriod, ScalingPeriod);
    }

    private async Task ScaleTickAsync()
    {
        if (_scaling is { IsCompleted: false })
        {
            return;
        }

        _scaling = ScaleAsync();
        await _scaling;
    }

    private async Task ScaleAsync()
    {
        if (_unloaded || _loading is not { IsCompleted: true } || _definition?.Config.Autoscaling is not { } config)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var version in _versions.Values.Where(v => v.State == ModelReadyState.Ready).ToList())
        {
            if (_unloaded)
            {
                return;
            }

            if (_coldStarts.GetValueOrDefault(version.Version) is { IsCompleted: false })
            {
                continue;
            }

            var current = version.Instances.Count;
            var ongoing = _load.Ongoing(version.Version, now);
            var wanted = AutoscalerOf(version.Version, config).Decide(current, ongoing, now).Instances;
            try
            {
                if (wanted > current && current == 0)
                {
                    // Load from zero (a gateway still counted requests on the last instance) is a cold start, shared with the requests that come.
                    await StartColdStart(version, config);
                }
                else if (wanted > current)
                {
                    await ScaleUpAsync(version, wanted, ongoing);
                }
                else if (wanted < current)
                {
                    await ScaleDownAsync(version, wanted, ongoing);
                }
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // The next tick decides again.
                LogScaleUpRefused(_logger, Name, version.Version, ex.Message);
            }
        }
    }

    private Autoscaler AutoscalerOf(string version, AutoscalingConfig config)
    {
        if (!_autoscalers.TryGetValue(version, out var autoscaler))
        {
            autoscaler = new Autoscaler(config);
            _autoscalers[version] = autoscaler;
        }

        return autoscaler;
    }

    private async Task ScaleUpAsync(ModelVersionState version, int wanted, int ongoing)
    {
        var devices = await GetDevicesAsync();
        var before = version.Instances.Count;
        string? refusal = null;
        while (refusal is null && version.Instances.Count < wanted && !_unloaded && version.State == ModelReadyState.Ready)
        {
            refusal = await _placer.AddInstance(version, devices);
        }

        if (version.Instances.Count > before)
        {
            LogScaledUp(_logger, Name, version.Version, before, version.Instances.Count, ongoing);
        }

        // A cluster without room refuses every tick the wish lasts: its reason is logged when it changes.
        if (refusal is null)
        {
            _scaleUpRefusals.Remove(version.Version);
        }
        else if (_scaleUpRefusals.GetValueOrDefault(version.Version) != refusal)
        {
            _scaleUpRefusals[version.Version] = refusal;
            LogScaleUpRefused(_logger, Name, version.Version, refusal);
        }
    }

    // The instances with the fewest requests pending go first (ties: from the device holding most of the version's,
    // so the rest stay spread). They leave the table at once and are unloaded once they have answered what they hold.
    private async Task ScaleDownAsync(ModelVersionState version, int wanted, int ongoing)
    {
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var device in version.Instances.DistinctBy(s => s.Info.DeviceKey).ToList())
        {
            try
            {
                foreach (var instance in await device.Device.GetInstances())
                {
                    pending[KeyOf(instance)] = instance.Pending;
                }
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // Its instances count as idle: a device that is gone is the first to let go of.
            }
        }

        // The instances may have changed during the awaits (a gateway reported one lost).
        var before = version.Instances.Count;
        var perDevice = version.Instances.GroupBy(s => s.Info.DeviceKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var leaving = version.Instances
            .OrderBy(s => pending.GetValueOrDefault(KeyOf(s.Info)))
            .ThenByDescending(s => perDevice[s.Info.DeviceKey])
            .Take(Math.Max(0, before - wanted))
            .ToList();
        if (leaving.Count == 0 || _unloaded)
        {
            return;
        }

        foreach (var slot in leaving)
        {
            version.Instances.Remove(slot);
            var retiring = new RetiringInstance(version, slot);
            _retiring.Add(retiring);
            _ = RetireAsync(retiring);
        }

        LogScaledDown(_logger, Name, version.Version, before, version.Instances.Count, ongoing);
    }

    private async Task RetireAsync(RetiringInstance retiring)
    {
        try
        {
            await Task.Delay(RetireGrace, _time);
            var deadline = _time.GetUtcNow() + RetireTimeout;
            while (_retiring.Contains(retiring) && _time.GetUtcNow() < deadline && await PendingOfAsync(retiring.Slot) > 0)
            {
                await Task.Delay(RetirePoll, _time);
            }

            if (_retiring.Contains(retiring))
            {
                await retiring.Slot.Device.UnloadInstance(retiring.Slot.Info.InstanceId);
            }
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // A device that is gone holds nothing any more.
            LogInstanceLost(_logger, Name, retiring.Version.Version, retiring.Slot.Info.DeviceKey, ex.Message);
        }
        finally
        {
            _retiring.Remove(retiring);
        }
    }

    private static async Task<int> PendingOfAsync(ModelInstanceSlot slot) =>
        Array.Find(await slot.Device.GetInstances(), i => i.InstanceId == slot.Info.InstanceId)?.Pending ?? 0;

    // For Unload: scaling and cold starts under way finish first, so that no instance they place is left behind, and the
    // instances still retiring are unloaded now rather than after their grace.
    private async Task StopScalingAsync()
    {
        var running = _coldStarts.Values.Append(_scaling ?? Task.CompletedTask).ToList();
        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Current);
        foreach (var retiring in _retiring.ToList())
        {
            try
            {
                await retiring.Slot.Device.UnloadInstance(retiring.Slot.Info.InstanceId);
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                LogInstanceLost(_logger, Name, retiring.Version.Version, retiring.Slot.Info.DeviceKey, ex.Message);
            }

            _retiring.Remove(retiring);
        }

        _coldStartReasons.Clear();
        _coldStartFailedAt.Clear();
    }

    // Instance ids are unique on their device only.
    private static string KeyOf(ModelInstanceInfo instance) => $"{instance.DeviceKey}|{instance.InstanceId}";

    [LoggerMessage(EventId = EventIds.ScaledUp, EventName = nameof(EventIds.ScaledUp), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} scaled up from {PreviousCount} to {InstanceCount} instance(s) with {OngoingRequests} request(s) in flight")]
    private static partial void LogScaledUp(ILogger logger, string modelName, string modelVersion, int previousCount, int instanceCount, int ongoingRequests);

    [LoggerMessage(EventId = EventIds.ScaledDown, EventName = nameof(EventIds.ScaledDown), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} scaled down from {PreviousCount} to {InstanceCount} instance(s) with {OngoingRequests} request(s) in flight")]
    private static partial void LogScaledDown(ILogger logger, string modelName, string modelVersion, int previousCount, int instanceCount, int ongoingRequests);

    [LoggerMessage(EventId = EventIds.ScaleUpRefused, EventName = nameof(EventIds.ScaleUpRefused), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} could not scale up: {Reason}")]
    private static partial void LogScaleUpRefused(ILogger logger, string modelName, string modelVersion, string reason);

    // An instance a scale-down took out of the table, still loaded until it has answered what it holds.
    private sealed record RetiringInstance(ModelVersionState Version, ModelInstanceSlot Slot);
}
