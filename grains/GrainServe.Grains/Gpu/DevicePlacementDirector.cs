using Orleans.Runtime.Placement;

namespace GrainServe.Gpu;

/// <summary>
/// Picks the silo for a GPU grain: the active silo whose name is the key's first part. A device belongs to
/// one machine, so there is no fallback: when that silo is not in the cluster the activation fails.
/// </summary>
public sealed class DevicePlacementDirector : IPlacementDirector
{
    private readonly IClusterMembershipService _membership;

    /// <summary>Creates the director.</summary>
    public DevicePlacementDirector(IClusterMembershipService membership)
    {
        _membership = membership;
    }

    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var silo = SelectSilo(key, _membership.CurrentSnapshot.Members.Values, context.GetCompatibleSilos(target));
        return Task.FromResult(silo);
    }

    /// <summary>
    /// The silo for GPU grain <paramref name="key"/> among <paramref name="members"/>. When a restarted silo
    /// still has its old entry in the table, the newest generation wins. Throws when there is none.
    /// </summary>
    public static SiloAddress SelectSilo(string key, IEnumerable<ClusterMember> members, IReadOnlyCollection<SiloAddress> compatible)
    {
        if (!DeviceKey.TryParse(key, out var siloName, out _))
        {
            throw new OrleansException($"GPU grain key '{key}' is not of the form '{{siloName}}/{{deviceId}}'.");
        }

        var owner = members
            .Where(m => m.Status == SiloStatus.Active && m.Name == siloName && compatible.Contains(m.SiloAddress))
            .OrderByDescending(m => m.SiloAddress.Generation)
            .FirstOrDefault();
        return owner?.SiloAddress
            ?? throw new OrleansException($"GPU grain '{key}' can only live on silo '{siloName}', which is not an active member of the cluster.");
    }
}
