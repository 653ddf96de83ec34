using System.Net;

namespace GrainServe.Gpu;

public sealed class DevicePlacementDirectorTests
{
    private static readonly SiloAddress A = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress B = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);
    private static readonly SiloAddress BRestarted = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 2);

    [Fact]
    public void SelectSilo_KeyNamesActiveSilo_ReturnsThatSilo()
    {
        var members = new[] { new ClusterMember(A, SiloStatus.Active, "node-a"), new ClusterMember(B, SiloStatus.Active, "node-b") };
        Assert.Equal(B, DevicePlacementDirector.SelectSilo("node-b/gpu0", members, [A, B]));
    }

    [Fact]
    public void SelectSilo_RestartedSiloWithStaleEntry_ReturnsNewestGeneration()
    {
        var members = new[] { new ClusterMember(B, SiloStatus.Active, "node-b"), new ClusterMember(BRestarted, SiloStatus.Active, "node-b") };
        Assert.Equal(BRestarted, DevicePlacementDirector.SelectSilo("node-b/gpu0", members, [B, BRestarted]));
    }

    [Fact]
    public void SelectSilo_SiloNotActive_ThrowsInsteadOfPlacingElsewhere()
    {
        var members = new[] { new ClusterMember(A, SiloStatus.Active, "node-a"), new ClusterMember(B, SiloStatus.Dead, "node-b") };
        var error = Assert.Throws<OrleansException>(() => DevicePlacementDirector.SelectSilo("node-b/gpu0", members, [A, B]));
        Assert.Contains("node-b", error.Message);
    }

    [Fact]
    public void SelectSilo_MalformedKey_Throws()
    {
        Assert.Throws<OrleansException>(() => DevicePlacementDirector.SelectSilo("no-slash", [], [A]));
    }
}
