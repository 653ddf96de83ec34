namespace GrainServe.Speech.Transcription;

/// <summary>One word of an alignment while its times are worked out (whisper's <c>WordTiming</c>); mutable, as the heuristics move words' edges and merge punctuation.</summary>
internal sealed class WordTiming(string word, List<int> tokens, double start, double end)
{
    public string Word { get; set; } = word;

    public List<int> Tokens { get; set; } = tokens;

    /// <summary>Seconds from the window's start.</summary>
    public double Start { get; set; } = start;

    /// <summary>Seconds from the window's start.</summary>
    public double End { get; set; } = end;
}
