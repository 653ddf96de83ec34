namespace GrainServe.Speech.Voices;

/// <summary>What <see cref="VoiceRegistryGrain"/> keeps in storage: the voices by name.</summary>
[GenerateSerializer, Alias("GrainServe.VoiceRegistryState")]
internal sealed class VoiceRegistryState
{
    [Id(0)] public Dictionary<string, StoredVoice> Voices { get; set; } = new(StringComparer.Ordinal);
}
