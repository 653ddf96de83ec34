namespace GrainServe.Speech.Audio.Vad;

/// <summary>A stretch of speech in a recording, in samples: <see cref="Start"/> inclusive, <see cref="End"/> exclusive.</summary>
internal readonly record struct SpeechRegion(int Start, int End)
{
    /// <summary>The stretch's length in samples.</summary>
    public int Length => End - Start;
}
