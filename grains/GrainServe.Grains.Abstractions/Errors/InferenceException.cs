namespace GrainServe.Errors;

/// <summary>
/// An inference failure thrown across a grain boundary where a value cannot be returned (metadata and
/// control calls). The gateway translates it to a protocol status at one place.
/// </summary>
[GenerateSerializer, Alias("GrainServe.InferenceException")]
public sealed class InferenceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InferenceException(InferenceErrorCode code, string message) : base(message)
    {
        Code = code;
    }

    /// <summary>Creates the exception from an error value.</summary>
    public InferenceException(InferenceError error) : this(error.Code, error.Message)
    {
    }

    /// <summary>What kind of failure this is.</summary>
    [Id(0)] public InferenceErrorCode Code { get; }
}
