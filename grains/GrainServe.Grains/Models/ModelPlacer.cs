using System.Globalization;
using GrainServe.Gpu;
using GrainServe.Errors;

namespace GrainServe.Models;

/// <summary>
/// Decides where a model grain's instances go, by the devices' live figures in <see cref="DeviceRanking"/>'s order (most
/// memory free, then fewest instances of any model, then least load), one instance per device before a second on any,
/// within the instance group's device kind. Runs on the grain's turn.
/// </summary>
internal sealed class ModelPlacer(ModelGrain grain)
{
    private bool _adopted;

    /// <summary>
    /// Loads instances of <paramref name="version"/> up to its count at load (<see cref="ModelGrain.InstancesAtLoad"/>);
    /// returns why none loaded, or null.
    /// </summary>
    public async Task<string?> Place(ModelVersionState version, DeviceInfo[] devices)
    {
        var groups = grain.Definition.Config.InstanceGroup;
        var wanted = ModelGrain.InstancesAtLoad(grain.Definition.Config);
        var kind = groups.Select(g => g.Kind).FirstOrDefault(k => k is "KIND_GPU" or "KIND_CPU");
        var candidates = DeviceRanking.Order(
            await LiveAsync(devices.Where(d => !d.Draining && (kind is null || (kind == "KIND_GPU") == (d.Kind == DeviceKind.Gpu)))),
            Random.Shared);
        if (candidates.Count == 0)
        {
            return devices.Length == 0
                ? "no device in the cluster yet; the model loads when a device silo joins"
                : $"no {(kind == "KIND_GPU" ? "GPU" : "CPU")} device in the cluster for instance_group kind {kind}";
        }

        var refusals = new List<string>();
        var needed = 0L;
        for (var i = 0; version.Instances.Count < wanted && i < wanted * candidates.Count; i++)
        {
            var (device, result) = await LoadOnAsync(candidates[i % candidates.Count].Key, version, refusals);
            if (result is null)
            {
                continue;
            }

            if (result.Instance is { } instance)
            {
                version.Config = result.Config;
                version.Instances.Add(new ModelInstanceSlot(instance, device));
                continue;
            }

            if (!result.DoesNotFit)
            {
                // The model itself is broken: no other device will load it either.
                return result.Failure;
            }

            refusals.Add(result.Failure!);
            needed = Math.Max(needed, result.NeededBytes);
        }

        await ReportUnplacedAsync(version, version.Instances.Count > 0 ? 0 : needed);
        return version.Instances.Count > 0 ? null : $"no device has room: {string.Join("; ", refusals.Distinct())}";
    }

    /// <summary>
    /// Adds one instance of <paramref name="version"/> on a device that has none yet (the one with the most memory
    /// free), so that a device silo that joined later takes a share of a busy model. Returns whether one was added.
    /// </summary>
    public async Task<bool> ScaleOut(ModelVersionState version, DeviceInfo[] devices)
    {
        var kind = grain.Definition.Config.InstanceGroup.Select(g => g.Kind).FirstOrDefault(k => k is "KIND_GPU" or "KIND_CPU");
        var holding = version.Instances.Select(i => i.Info.DeviceKey).ToHashSet(StringComparer.Ordinal);
        foreach (var candidate in devices
            .Where(d => !holding.Contains(d.Key) && !d.Draining && (kind is null || (kind == "KIND_GPU") == (d.Kind == DeviceKind.Gpu)))
            .OrderByDescending(d => d.AvailableBytes))
        {
            var device = grain.Grains.GetGrain<IGpuGrain>(candidate.Key);
            try
            {
                var result = await device.LoadInstance(grain.ModelName, version.Version, grain.ConfigOverride);
                if (result.Instance is { } instance)
                {
                    version.Instances.Add(new ModelInstanceSlot(instance, device));
                    return true;
                }
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // Unreachable: try the next device.
            }
        }

        return false;
    }

    /// <summary>
    /// Adds one instance of <paramref name="version"/> for the autoscaler or a cold start: on the device holding the
    /// fewest of its instances (so every device has one before any has two), then the one with the most memory free.
    /// Returns why none loaded, or null.
    /// </summary>
    public async Task<string?> AddInstance(ModelVersionState version, DeviceInfo[] devices)
    {
        var kind = grain.Definition.Config.InstanceGroup.Select(g => g.Kind).FirstOrDefault(k => k is "KIND_GPU" or "KIND_CPU");
        var held = version.Instances.GroupBy(i => i.Info.DeviceKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var refusals = new List<string>();
        var needed = 0L;
        var ranked = DeviceRanking.Order(
            await LiveAsync(devices.Where(d => !d.Draining && (kind is null || (kind == "KIND_GPU") == (d.Kind == DeviceKind.Gpu)))),
            Random.Shared);
        foreach (var candidate in ranked.OrderBy(d => held.GetValueOrDefault(d.Key)))
        {
            var (device, result) = await LoadOnAsync(candidate.Key, version, refusals);
            if (result is null)
            {
                continue;
            }

            if (result.Instance is { } instance)
            {
                version.Config ??= result.Config;
                version.Instances.Add(new ModelInstanceSlot(instance, device));
                await ReportUnplacedAsync(version, 0);
                return null;
            }

            if (!result.DoesNotFit)
            {
                return result.Failure;
            }

            refusals.Add(result.Failure!);
            needed = Math.Max(needed, result.NeededBytes);
        }

        await ReportUnplacedAsync(version, needed);

        return refusals.Count == 0 ? "no device in the cluster can take it" : $"no device has room: {string.Join("; ", refusals.Distinct())}";
    }

    // The devices' figures now rather than as last registered (every 2 s): loads of other models may have taken memory
    // since. A device that does not answer in time keeps its registered figures.
    private async Task<DeviceInfo[]> LiveAsync(IEnumerable<DeviceInfo> devices) =>
        await Task.WhenAll(devices.Select(async d =>
        {
            try
            {
                return await grain.Grains.GetGrain<IGpuGrain>(d.Key).GetInfo().WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                return d;
            }
        }));

    // One load on one device; null when its silo is unreachable (gone but not yet out of the membership table), which
    // is noted in refusals so that the caller tries the next device.
    private async Task<(IGpuGrain Device, LoadResult? Result)> LoadOnAsync(string deviceKey, ModelVersionState version, List<string> refusals)
    {
        var device = grain.Grains.GetGrain<IGpuGrain>(deviceKey);
        try
        {
            return (device, await device.LoadInstance(grain.ModelName, version.Version, grain.ConfigOverride));
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            refusals.Add($"device {deviceKey} is unreachable: {ex.Message}");
            return (device, null);
        }
    }

    // Memory a version could not get anywhere is the cluster's unmet demand, which the node autoscaling gauge counts.
    private async Task ReportUnplacedAsync(ModelVersionState version, long bytes)
    {
        if (bytes == 0 && !version.Unplaced)
        {
            return;
        }

        version.Unplaced = bytes > 0;
        try
        {
            await grain.Grains.GetGrain<IDeviceDirectoryGrain>(0).ReportUnplaced(grain.ModelName, version.Version, bytes);
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // The directory is moving; the next placement reports again.
        }
    }

    /// <summary>
    /// On the grain's first load after an activation, takes over the instances devices still hold for this
    /// model (a previous activation loaded them) rather than loading duplicates.
    /// </summary>
    public async Task AdoptOnce(DeviceInfo[] devices)
    {
        if (_adopted)
        {
            return;
        }

        _adopted = true;
        // A draining device is leaving: its instances are not taken over (its GPU grain told the old activation to forget them).
        foreach (var info in devices.Where(d => d.InstanceCount > 0 && !d.Draining))
        {
            var device = grain.Grains.GetGrain<IGpuGrain>(info.Key);
            ModelInstanceInfo[] instances;
            try
            {
                instances = await device.GetInstances();
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // Its silo is gone, and its instances with it.
                continue;
            }

            foreach (var instance in instances)
            {
                if (instance.ModelName != grain.ModelName || !long.TryParse(instance.ModelVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                var version = grain.GetVersion(number);
                version.Instances.Add(new ModelInstanceSlot(instance, device));
                version.State = ModelReadyState.Ready;
            }
        }

        // An adopted version's effective config is the one its instances were loaded with, which their devices keep.
        // Asked for rather than learnt by loading a fresh instance in place of an old one: the old one may be serving
        // (a generation streaming), and this activation is often new because another silo just died.
        foreach (var version in grain.ServedVersions().Select(grain.GetVersion).Where(v => v.Config is null && v.Instances.Count > 0))
        {
            foreach (var adopted in version.Instances.ToList())
            {
                try
                {
                    version.Config = await adopted.Device.GetInstanceConfig(adopted.Info.InstanceId);
                }
                catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                {
                    // The device went away meanwhile.
                }

                if (version.Config is not null)
                {
                    break;
                }

                // Gone since it was listed; the version is placed again below if nothing is left.
                version.Instances.Remove(adopted);
            }
        }
    }
}
