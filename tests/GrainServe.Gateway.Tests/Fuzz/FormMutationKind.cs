namespace GrainServe.Gateway.Fuzz;

/// <summary>What one mutation does to a valid multipart upload.</summary>
internal enum FormMutationKind
{
    /// <summary>Sets a field to a value from <see cref="FormValues.Fields"/>: invalid UTF-8, an encoded surrogate, huge numbers, words for numbers.</summary>
    FieldValue,

    /// <summary>Leaves a field out (the file or the model included).</summary>
    DropField,

    /// <summary>Sends a field twice.</summary>
    DuplicateField,

    /// <summary>Adds a field from <see cref="FormValues.Names"/>.</summary>
    AddField,

    /// <summary>Replaces the file with one from <see cref="FormValues.Files"/>: empty, not audio, a cut-off WAV.</summary>
    FileBytes,

    /// <summary>Overwrites a field of the WAV header (channels, rate, bits, sizes) with a value from <see cref="FormValues.HeaderNumbers"/>.</summary>
    WavHeader,

    /// <summary>Flips the bits of one byte of the whole body.</summary>
    FlipByte,

    /// <summary>Cuts the whole body short.</summary>
    Truncate,

    /// <summary>Sends another content type (a missing or wrong boundary).</summary>
    ContentType,
}
