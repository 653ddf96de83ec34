namespace GrainServe.Speech.Voices;

/// <summary>
/// The registry's storage before each voice had a grain of its own: every voice's bytes under its name. Read on
/// activation only to move what it holds into <see cref="VoiceGrain"/>s and <see cref="VoiceIndexState"/>, then cleared.
/// </summary>
[GenerateSerializer, Alias("GrainServe.VoiceRegistryState")]
internal sealed class VoiceRegistryState
{
    [Id(0)] public Dictionary<string, StoredVoice> Voices { get; set; } = new(StringComparer.Ordinal);
}
