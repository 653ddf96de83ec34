namespace GrainServe.Speech.Voices;

/// <summary>
/// One stored voice: its registration id, bytes, time of registration and reference length. A <see cref="VoiceGrain"/>
/// keeps the id and bytes; the registry's index before voices had grains of their own kept all four (read once, to move
/// them out: <see cref="VoiceRegistryState"/>).
/// </summary>
[GenerateSerializer, Alias("GrainServe.StoredVoice")]
internal sealed class StoredVoice
{
    [Id(0)] public Guid Id { get; set; }

    [Id(1)] public byte[] Voice { get; set; } = [];

    [Id(2)] public long CreatedAt { get; set; }

    [Id(3)] public double ReferenceSeconds { get; set; }
}
