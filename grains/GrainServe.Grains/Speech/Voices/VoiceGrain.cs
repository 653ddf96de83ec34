using GrainServe.Hosting;

namespace GrainServe.Speech.Voices;

/// <summary>
/// One voice's bytes in grain storage of their own (Redis in production, memory in tests), as bytes because Orleans
/// would serialize a float[] element by element. Written only by the model's <see cref="VoiceRegistryGrain"/>.
/// </summary>
internal sealed class VoiceGrain([PersistentState("voice", GrainStorage.Name)] IPersistentState<StoredVoice> state) : Grain, IVoiceGrain
{
    public async Task Store(Guid id, byte[] voice)
    {
        state.State = new StoredVoice { Id = id, Voice = voice };
        await state.WriteStateAsync();
    }

    public async Task Clear()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new StoredVoice();
    }

    public Task<VoiceEntry?> Get(Guid? cachedId) => Task.FromResult(
        state.State.Voice.Length == 0
            ? null
            : new VoiceEntry(state.State.Id, state.State.Id == cachedId ? [] : state.State.Voice));
}
