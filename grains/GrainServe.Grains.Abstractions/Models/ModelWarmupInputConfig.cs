namespace GrainServe.Models;

/// <summary>
/// One input of a <see cref="ModelWarmupConfig"/> sample: its datatype, its shape without the batch dimension, and
/// where its data comes from: exactly one of <see cref="ZeroData"/>, <see cref="RandomData"/> or
/// <see cref="InputDataFile"/>, as Triton's <c>oneof</c> (a flag counts as set whatever its value).
/// </summary>
[GenerateSerializer, Alias("GrainServe.ModelWarmupInputConfig")]
public sealed class ModelWarmupInputConfig
{
    /// <summary>Triton's config datatype, <c>TYPE_FP32</c>, <c>TYPE_STRING</c>, ...</summary>
    [Id(0)] public string? DataType { get; set; }

    /// <summary>The shape without the batch dimension; every dimension fixed (0 or more).</summary>
    [Id(1)] public List<long> Dims { get; set; } = [];

    /// <summary>Zeros; for <c>TYPE_STRING</c>, empty strings.</summary>
    [Id(2)] public bool? ZeroData { get; set; }

    /// <summary>Random data (seeded, so every instance warms up alike); for <c>TYPE_STRING</c>, empty strings, as Triton falls back to zeros.</summary>
    [Id(3)] public bool? RandomData { get; set; }

    /// <summary>
    /// A file in the model's <c>warmup/</c> folder holding the data raw, row-major, little-endian; for
    /// <c>TYPE_STRING</c> each element a 4-byte length then its bytes.
    /// </summary>
    [Id(4)] public string? InputDataFile { get; set; }
}
