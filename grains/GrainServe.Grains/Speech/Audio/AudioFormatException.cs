namespace GrainServe.Speech.Audio;

/// <summary>
/// An uploaded audio file this server cannot turn into samples: not audio, damaged, in a format it does not read,
/// over a limit, or needing a decoder (ffmpeg) the server lacks. The message is written for the caller and names
/// the problem; the transcription routes answer it with 400.
/// </summary>
public sealed class AudioFormatException : Exception
{
    /// <summary>Creates one with a caller-facing message.</summary>
    public AudioFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates one with a caller-facing message and the failure that caused it.</summary>
    public AudioFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
