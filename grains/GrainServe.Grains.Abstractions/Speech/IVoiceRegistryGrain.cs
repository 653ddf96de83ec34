namespace GrainServe.Speech;

/// <summary>
/// The voices registered for one XTTS-style model: each a name and the bytes its conditioning encoder computed from
/// reference audio once (latents, speaker embedding, the GPT's cross-attention state). Kept in grain storage, so a
/// voice survives restarts; silos that speak in a voice cache it by its <see cref="VoiceEntry.Id"/>.
/// </summary>
/// <remarks>Key: the model's name.</remarks>
public interface IVoiceRegistryGrain : IGrainWithStringKey
{
    /// <summary>Registers <paramref name="name"/>; null when the model already has a voice of that name (nothing changes then).</summary>
    /// <param name="name">The voice's name (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>; at most 64 characters, checked by the caller).</param>
    /// <param name="voice">The encoded voice, as the model's instance returned it.</param>
    /// <param name="referenceSeconds">How long the reference audio was, for the listing.</param>
    Task<VoiceSummary?> Add(string name, byte[] voice, double referenceSeconds);

    /// <summary>Removes a voice; false when there is none of that name.</summary>
    Task<bool> Remove(string name);

    /// <summary>Every voice of the model, by name.</summary>
    Task<VoiceSummary[]> List();

    /// <summary>
    /// The voice of <paramref name="name"/>, or null when there is none. When <paramref name="cachedId"/> is its current
    /// id the bytes are left out (empty): the caller's copy is current.
    /// </summary>
    Task<VoiceEntry?> Get(string name, Guid? cachedId);
}
