using GrainServe.Hosting;

namespace GrainServe.Speech.Voices;

/// <summary>
/// One model's registered voices in grain storage (Redis in production, memory in tests). A voice is bytes: Orleans
/// would serialize a float[] element by element. Each write stores the whole map; voices are registered rarely.
/// </summary>
internal sealed class VoiceRegistryGrain(
    [PersistentState("voices", GrainStorage.Name)] IPersistentState<VoiceRegistryState> state,
    TimeProvider time) : Grain, IVoiceRegistryGrain
{
    public async Task<VoiceSummary?> Add(string name, byte[] voice, double referenceSeconds)
    {
        if (state.State.Voices.ContainsKey(name))
        {
            return null;
        }

        var stored = new StoredVoice { Id = Guid.NewGuid(), Voice = voice, CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(), ReferenceSeconds = referenceSeconds };
        state.State.Voices[name] = stored;
        await state.WriteStateAsync();
        return Summary(name, stored);
    }

    public async Task<bool> Remove(string name)
    {
        if (!state.State.Voices.Remove(name))
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    public Task<VoiceSummary[]> List() =>
        Task.FromResult(state.State.Voices.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => Summary(v.Key, v.Value)).ToArray());

    public Task<VoiceEntry?> Get(string name, Guid? cachedId) => Task.FromResult(
        state.State.Voices.TryGetValue(name, out var stored)
            ? new VoiceEntry(stored.Id, stored.Id == cachedId ? [] : stored.Voice)
            : null);

    private VoiceSummary Summary(string name, StoredVoice voice) =>
        new(name, this.GetPrimaryKeyString(), voice.CreatedAt, voice.ReferenceSeconds, voice.Voice.Length);
}
