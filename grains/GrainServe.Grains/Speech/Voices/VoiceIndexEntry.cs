namespace GrainServe.Speech.Voices;

/// <summary>One voice in a model's index: its registration id, time of registration (Unix seconds), reference length (seconds) and size (bytes).</summary>
[GenerateSerializer, Alias("GrainServe.VoiceIndexEntry")]
internal sealed class VoiceIndexEntry
{
    [Id(0)] public Guid Id { get; set; }

    [Id(1)] public long CreatedAt { get; set; }

    [Id(2)] public double ReferenceSeconds { get; set; }

    [Id(3)] public long Bytes { get; set; }
}
