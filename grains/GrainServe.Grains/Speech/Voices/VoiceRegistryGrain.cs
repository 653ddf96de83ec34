using GrainServe.Hosting;

namespace GrainServe.Speech.Voices;

/// <summary>
/// One model's voice index in grain storage (Redis in production, memory in tests): names and sizes only, so listing
/// and registering stay small however large the voices are, each of which lives in its own <see cref="VoiceGrain"/>.
/// The voice's grain is written before the index on registration and cleared before it on removal: a crash between
/// the two leaves at worst a voice that speaks but is not listed, which registering the name anew overwrites, or a
/// listed voice that is gone, which removing it again clears.
/// </summary>
internal sealed class VoiceRegistryGrain(
    [PersistentState("voice_index", GrainStorage.Name)] IPersistentState<VoiceIndexState> index,
    [PersistentState("voices", GrainStorage.Name)] IPersistentState<VoiceRegistryState> legacy,
    TimeProvider time) : Grain, IVoiceRegistryGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Voices stored before each had a grain: move them out once, so the old map's bytes are never loaded again.
        if (legacy.State.Voices.Count == 0)
        {
            return;
        }

        foreach (var (name, stored) in legacy.State.Voices)
        {
            await Voice(name).Store(stored.Id, stored.Voice);
            index.State.Voices[name] = new VoiceIndexEntry { Id = stored.Id, CreatedAt = stored.CreatedAt, ReferenceSeconds = stored.ReferenceSeconds, Bytes = stored.Voice.Length };
        }

        await index.WriteStateAsync(cancellationToken);
        await legacy.ClearStateAsync(cancellationToken);
    }

    public async Task<VoiceSummary?> Add(string name, byte[] voice, double referenceSeconds)
    {
        if (index.State.Voices.ContainsKey(name))
        {
            return null;
        }

        var entry = new VoiceIndexEntry { Id = Guid.NewGuid(), CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(), ReferenceSeconds = referenceSeconds, Bytes = voice.Length };
        await Voice(name).Store(entry.Id, voice);
        index.State.Voices[name] = entry;
        await index.WriteStateAsync();
        return Summary(name, entry);
    }

    public async Task<bool> Remove(string name)
    {
        if (!index.State.Voices.ContainsKey(name))
        {
            return false;
        }

        await Voice(name).Clear();
        index.State.Voices.Remove(name);
        await index.WriteStateAsync();
        return true;
    }

    public Task<VoiceSummary[]> List() =>
        Task.FromResult(index.State.Voices.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => Summary(v.Key, v.Value)).ToArray());

    private IVoiceGrain Voice(string name) => GrainFactory.GetGrain<IVoiceGrain>(IVoiceGrain.Key(this.GetPrimaryKeyString(), name));

    private VoiceSummary Summary(string name, VoiceIndexEntry voice) =>
        new(name, this.GetPrimaryKeyString(), voice.CreatedAt, voice.ReferenceSeconds, voice.Bytes);
}
