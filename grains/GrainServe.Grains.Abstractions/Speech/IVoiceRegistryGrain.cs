namespace GrainServe.Speech;

/// <summary>
/// The index of the voices registered for one XTTS-style model: each voice's name, registration id, time and sizes,
/// while its bytes are in its own <see cref="IVoiceGrain"/>. Both are kept in grain storage, so a voice survives
/// restarts. The registry is the one writer of its voices' grains, so a name is registered once.
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
}
