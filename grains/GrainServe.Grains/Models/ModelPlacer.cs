using System.Globalization;
using GrainServe.Gpu;
using GrainServe.Errors;

namespace GrainServe.Models;

/// <summary>
/// Decides where a model grain's instances go: the devices with the most memory free first, one instance per
/// device before a second on any, within the instance group's device kind. Runs on the grain's turn.
/// </summary>
internal sealed class ModelPlacer(ModelGrain grain)
{
    private bool _adopted;

    /// <summary>Loads instances of <paramref name="version"/> up to its instance count; returns why none loaded, or null.</summary>
    public async Task<string?> Place(ModelVersionState version, DeviceInfo[] devices)
    {
        var groups = grain.Definition.Config.InstanceGroup;
        var wanted = Math.Max(1, groups.Sum(g => g.Count));
        var kind = groups.Select(g => g.Kind).FirstOrDefault(k => k is "KIND_GPU" or "KIND_CPU");
        var candidates = devices
            .Where(d => !d.Draining && (kind is null || (kind == "KIND_GPU") == (d.Kind == DeviceKind.Gpu)))
            .OrderByDescending(d => d.AvailableBytes)
            .ToList();
        if (candidates.Count == 0)
        {
            return devices.Length == 0
                ? "no device in the cluster yet; the model loads when a device silo joins"
                : $"no {(kind == "KIND_GPU" ? "GPU" : "CPU")} device in the cluster for instance_group kind {kind}";
        }

        var refusals = new List<string>();
        for (var i = 0; version.Instances.Count < wanted && i < wanted * candidates.Count; i++)
        {
            var device = grain.Grains.GetGrain<IGpuGrain>(candidates[i % candidates.Count].Key);
            LoadResult result;
            try
            {
                result = await device.LoadInstance(grain.ModelName, version.Version, grain.ConfigOverride);
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // The device's silo is gone but not yet out of the membership table: try the next device.
                refusals.Add($"device {candidates[i % candidates.Count].Key} is unreachable: {ex.Message}");
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
        }

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
