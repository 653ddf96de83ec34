namespace GrainServe.Speech.Whisper;

/// <summary>A window could not be decoded: refused (a 400: the request cannot run) or failed on the server (retryable when the instance was lost).</summary>
public sealed class WhisperDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="serverFault">True when the server failed (the engine's step), false when the request cannot run.</param>
    /// <param name="message">What happened, for the client.</param>
    public WhisperDecodeException(bool serverFault, string message)
        : base(message)
    {
        ServerFault = serverFault;
    }

    /// <summary>True when the server failed rather than the request being refused.</summary>
    public bool ServerFault { get; }
}
