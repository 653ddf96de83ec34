namespace GrainServe.Speech.Transcription;

/// <summary>The <c>response_format</c> values of OpenAI's transcription and translation endpoints.</summary>
public static class TranscriptResponseFormats
{
    /// <summary><c>{"text": …}</c> (the default).</summary>
    public const string Json = "json";

    /// <summary>The text alone, as <c>text/plain</c>.</summary>
    public const string Text = "text";

    /// <summary>SubRip subtitles, one numbered cue per segment.</summary>
    public const string Srt = "srt";

    /// <summary>JSON with task, language, duration, text, segments and, when asked, words.</summary>
    public const string VerboseJson = "verbose_json";

    /// <summary>WebVTT subtitles, one cue per segment.</summary>
    public const string Vtt = "vtt";
}
