using GrainServe.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;

namespace GrainServe.Speech.Voices;

/// <summary>
/// A model's voice registry on one silo with memory grain storage: voices are kept as bytes, a name is registered once,
/// a cached copy is not sent again, and the voices are read back from storage after the grain is deactivated.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class VoiceRegistryGrainTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.AddMemoryGrainStorage(GrainStorage.Name);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Add_ThenDeactivate_TheVoiceIsReadBackFromStorage()
    {
        var registry = _cluster.Client.GetGrain<IVoiceRegistryGrain>("xtts_model");
        byte[] voice = [1, 2, 3, 4, 5];

        var added = await registry.Add("narrator", voice, 3.5);
        Assert.NotNull(added);
        Assert.Null(await registry.Add("narrator", [9], 1));
        await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var entry = await registry.Get("narrator", null);
        Assert.Equal(voice, entry!.Voice);
        var listed = Assert.Single(await registry.List());
        Assert.Equal(("narrator", "xtts_model", 3.5, 5L), (listed.Name, listed.Model, listed.ReferenceSeconds, listed.Bytes));
    }

    [Fact]
    public async Task Get_CachedId_LeavesTheBytesOut()
    {
        var registry = _cluster.Client.GetGrain<IVoiceRegistryGrain>("cached_model");
        await registry.Add("v", [7, 7, 7], 1);

        var first = await registry.Get("v", null);
        var again = await registry.Get("v", first!.Id);

        Assert.Equal(first.Id, again!.Id);
        Assert.Empty(again.Voice);
    }

    [Fact]
    public async Task Remove_ThenGet_IsGoneAndARegistrationAnewGetsANewId()
    {
        var registry = _cluster.Client.GetGrain<IVoiceRegistryGrain>("removed_model");
        await registry.Add("v", [1], 1);
        var old = await registry.Get("v", null);

        Assert.True(await registry.Remove("v"));
        Assert.False(await registry.Remove("v"));
        Assert.Null(await registry.Get("v", null));
        await registry.Add("v", [2], 1);
        Assert.NotEqual(old!.Id, (await registry.Get("v", old.Id))!.Id);
    }
}
