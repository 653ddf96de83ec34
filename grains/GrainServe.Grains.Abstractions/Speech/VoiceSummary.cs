namespace GrainServe.Speech;

/// <summary>A registered voice as <c>GET /v1/audio/voices</c> lists it.</summary>
/// <param name="Name">The voice's name: the <c>voice</c> a speech request gives.</param>
/// <param name="Model">The model it was encoded for.</param>
/// <param name="CreatedAt">When it was registered, Unix seconds.</param>
/// <param name="ReferenceSeconds">How long its reference audio was, in seconds.</param>
/// <param name="Bytes">Size of the encoded voice.</param>
[GenerateSerializer, Immutable, Alias("GrainServe.VoiceSummary")]
public sealed record VoiceSummary(
    [property: Id(0)] string Name,
    [property: Id(1)] string Model,
    [property: Id(2)] long CreatedAt,
    [property: Id(3)] double ReferenceSeconds,
    [property: Id(4)] long Bytes);
