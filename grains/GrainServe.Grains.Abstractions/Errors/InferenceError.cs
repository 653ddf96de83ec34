namespace GrainServe.Errors;

/// <summary>
/// An error code with the message for the client.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.InferenceError")]
public sealed class InferenceError
{
    /// <summary>Creates an error.</summary>
    public InferenceError(InferenceErrorCode code, string message)
    {
        Code = code;
        Message = message;
    }

    /// <summary>What kind of failure this is; decides the protocol status.</summary>
    [Id(0)] public InferenceErrorCode Code { get; }

    /// <summary>A sentence for the client that says what was wrong and, where it helps, how to fix it.</summary>
    [Id(1)] public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
