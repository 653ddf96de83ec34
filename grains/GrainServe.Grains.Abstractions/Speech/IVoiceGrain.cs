namespace GrainServe.Speech;

/// <summary>
/// One registered voice of one XTTS-style model: its bytes (latents, speaker embedding, the GPT's cross-attention
/// state; megabytes for a real XTTS-v2) in grain storage of their own, so registering, listing or removing one voice
/// never reads or writes another's. <see cref="IVoiceRegistryGrain"/> keeps the model's small index and is the only
/// writer; silos that speak in the voice read it from here, by <see cref="VoiceEntry.Id"/> against their cache.
/// </summary>
/// <remarks>Key: <c>{model}/{voice}</c> (<see cref="Key"/>); a voice's name holds no <c>/</c>.</remarks>
public interface IVoiceGrain : IGrainWithStringKey
{
    /// <summary>The key of <paramref name="voice"/> of <paramref name="model"/>.</summary>
    static string Key(string model, string voice) => $"{model}/{voice}";

    /// <summary>Stores the voice under a new registration <paramref name="id"/>, replacing whatever was there.</summary>
    /// <param name="id">The registration's id.</param>
    /// <param name="voice">The encoded voice.</param>
    Task Store(Guid id, byte[] voice);

    /// <summary>Forgets the voice; nothing happens when there is none.</summary>
    Task Clear();

    /// <summary>
    /// The voice, or null when there is none. When <paramref name="cachedId"/> is its current id the bytes are left out
    /// (empty): the caller's copy is current.
    /// </summary>
    Task<VoiceEntry?> Get(Guid? cachedId);
}
