namespace GrainServe.Speech;

/// <summary>A registered voice's bytes and the id of this registration (a name registered again gets a new id).</summary>
/// <param name="Id">The registration's id: what a silo's cache is keyed by.</param>
/// <param name="Voice">The encoded voice; empty when the caller's cached copy of <paramref name="Id"/> is current.</param>
[GenerateSerializer, Immutable, Alias("GrainServe.VoiceEntry")]
public sealed record VoiceEntry([property: Id(0)] Guid Id, [property: Id(1)] byte[] Voice);
