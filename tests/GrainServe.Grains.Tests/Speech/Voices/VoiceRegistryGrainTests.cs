using GrainServe.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;
using Orleans.TestingHost;

namespace GrainServe.Speech.Voices;

/// <summary>
/// A model's voice index and its voices' own grains on one silo with memory grain storage: voices are kept as bytes, a
/// name is registered once, a cached copy is not sent again, the index and the voices are read back from storage after
/// the grains are deactivated, and a registry stored before voices had grains moves its voices out.
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

        var entry = await Voice("xtts_model", "narrator").Get(null);
        Assert.Equal(voice, entry!.Voice);
        var listed = Assert.Single(await registry.List());
        Assert.Equal(("narrator", "xtts_model", 3.5, 5L), (listed.Name, listed.Model, listed.ReferenceSeconds, listed.Bytes));
    }

    [Fact]
    public async Task Get_CachedId_LeavesTheBytesOut()
    {
        var registry = _cluster.Client.GetGrain<IVoiceRegistryGrain>("cached_model");
        await registry.Add("v", [7, 7, 7], 1);

        var first = await Voice("cached_model", "v").Get(null);
        var again = await Voice("cached_model", "v").Get(first!.Id);

        Assert.Equal(first.Id, again!.Id);
        Assert.Empty(again.Voice);
    }

    [Fact]
    public async Task Remove_ThenGet_IsGoneAndARegistrationAnewGetsANewId()
    {
        var registry = _cluster.Client.GetGrain<IVoiceRegistryGrain>("removed_model");
        var voice = Voice("removed_model", "v");
        await registry.Add("v", [1], 1);
        var old = await voice.Get(null);

        Assert.True(await registry.Remove("v"));
        Assert.False(await registry.Remove("v"));
        Assert.Null(await voice.Get(null));
        Assert.Empty(await registry.List());
        await registry.Add("v", [2], 1);
        Assert.NotEqual(old!.Id, (await voice.Get(old.Id))!.Id);
    }

    [Fact]
    public async Task Add_TwoVoices_EachIsInItsOwnGrainAndTheIndexHoldsNoBytes()
    {
        var registry = _cluster.Client.GetGrain<IVoiceRegistryGrain>("two_voices");
        await registry.Add("a", [1, 1], 1);
        await registry.Add("b", [2, 2, 2], 2);

        var storage = _cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var index = new GrainState<VoiceIndexState>();
        await storage.ReadStateAsync("voice_index", GrainId.Create("voiceregistry", "two_voices"), index);
        var b = new GrainState<StoredVoice>();
        await storage.ReadStateAsync("voice", GrainId.Create("voice", IVoiceGrain.Key("two_voices", "b")), b);

        Assert.Equal(["a", "b"], index.State!.Voices.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2L, 3L], index.State!.Voices.Values.Select(v => v.Bytes).Order());
        Assert.Equal([2, 2, 2], b.State!.Voice);
        Assert.Equal([1, 1], (await Voice("two_voices", "a").Get(null))!.Voice);
    }

    [Fact]
    public async Task Activate_RegistryStoredBeforeVoicesHadGrains_MovesItsVoicesOut()
    {
        var storage = _cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var id = GrainId.Create("voiceregistry", "legacy_model");
        var old = new GrainState<VoiceRegistryState>(new VoiceRegistryState());
        old.State!.Voices["narrator"] = new StoredVoice { Id = Guid.NewGuid(), Voice = [4, 5, 6], CreatedAt = 1_700_000_000, ReferenceSeconds = 2.5 };
        await storage.WriteStateAsync("voices", id, old);

        var listed = Assert.Single(await _cluster.Client.GetGrain<IVoiceRegistryGrain>("legacy_model").List());

        Assert.Equal(("narrator", 1_700_000_000L, 2.5, 3L), (listed.Name, listed.CreatedAt, listed.ReferenceSeconds, listed.Bytes));
        Assert.Equal(old.State!.Voices["narrator"].Id, (await Voice("legacy_model", "narrator").Get(null))!.Id);
        var after = new GrainState<VoiceRegistryState>();
        await storage.ReadStateAsync("voices", id, after);
        Assert.Empty(after.State?.Voices ?? []);
    }

    private IVoiceGrain Voice(string model, string name) => _cluster.Client.GetGrain<IVoiceGrain>(IVoiceGrain.Key(model, name));
}
