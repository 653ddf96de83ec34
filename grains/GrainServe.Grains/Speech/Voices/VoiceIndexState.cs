namespace GrainServe.Speech.Voices;

/// <summary>What <see cref="VoiceRegistryGrain"/> keeps in storage: each voice's listing by name, without its bytes.</summary>
[GenerateSerializer, Alias("GrainServe.VoiceIndexState")]
internal sealed class VoiceIndexState
{
    [Id(0)] public Dictionary<string, VoiceIndexEntry> Voices { get; set; } = new(StringComparer.Ordinal);
}
