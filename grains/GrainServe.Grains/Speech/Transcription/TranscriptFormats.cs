using System.Globalization;
using System.Text;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// A <see cref="Transcript"/> written in each of OpenAI's response formats, byte for byte as the transcription
/// endpoint returns them; the subtitle formats follow <c>whisper/utils.py</c>'s <c>WriteSRT</c> and <c>WriteVTT</c>.
/// </summary>
public static class TranscriptFormats
{
    /// <summary>
    /// <paramref name="transcript"/> in <paramref name="responseFormat"/>, one of <see cref="TranscriptResponseFormats"/>.
    /// <paramref name="includeWords"/> adds the word list to <c>verbose_json</c> (OpenAI's
    /// <c>timestamp_granularities[]=word</c>) and is ignored by the other formats.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="responseFormat"/> is not one of <see cref="TranscriptResponseFormats"/>.</exception>
    public static string Format(Transcript transcript, string responseFormat, bool includeWords = false) => responseFormat switch
    {
        TranscriptResponseFormats.Json => Json(transcript),
        TranscriptResponseFormats.Text => Text(transcript),
        TranscriptResponseFormats.Srt => Srt(transcript),
        TranscriptResponseFormats.VerboseJson => VerboseJson(transcript, includeWords),
        TranscriptResponseFormats.Vtt => Vtt(transcript),
        _ => throw new ArgumentException(
            $"Unknown response_format '{responseFormat}': use json, text, srt, verbose_json or vtt.", nameof(responseFormat)),
    };

    /// <summary>The text without Whisper's leading space, and a newline, as OpenAI's <c>text</c> format ends.</summary>
    public static string Text(Transcript transcript) => transcript.Text.Trim() + "\n";

    /// <summary><c>{"text":"…"}</c>, the text trimmed.</summary>
    public static string Json(Transcript transcript) => TranscriptJson.Json(transcript);

    /// <summary>
    /// <c>{"task","language","duration","text","segments"}</c>, with <c>"words"</c> after them when
    /// <paramref name="includeWords"/>: the language by name (<c>english</c>), the text trimmed, each segment as
    /// <see cref="TranscriptSegment"/> has it, with snake_case names.
    /// </summary>
    public static string VerboseJson(Transcript transcript, bool includeWords = false) => TranscriptJson.VerboseJson(transcript, includeWords);

    /// <summary>
    /// SubRip: for each segment its number from 1, <c>00:00:01,000 --> 00:00:02,500</c> (hours always, a comma before
    /// the milliseconds), its trimmed text, and a blank line.
    /// </summary>
    public static string Srt(Transcript transcript)
    {
        var srt = new StringBuilder();
        for (var i = 0; i < transcript.Segments.Count; i++)
        {
            var segment = transcript.Segments[i];
            srt.Append(CultureInfo.InvariantCulture, $"{i + 1}\n");
            AppendCue(srt, segment, ',');
        }

        return srt.ToString();
    }

    /// <summary>
    /// WebVTT: <c>WEBVTT</c> and a blank line, then for each segment <c>00:00:01.000 --> 00:00:02.500</c>, its trimmed
    /// text and a blank line. Hours are always written, as OpenAI does; whisper's CLI writes them only from one hour on.
    /// </summary>
    public static string Vtt(Transcript transcript)
    {
        var vtt = new StringBuilder("WEBVTT\n\n");
        foreach (var segment in transcript.Segments)
        {
            AppendCue(vtt, segment, '.');
        }

        return vtt.ToString();
    }

    /// <summary>
    /// <paramref name="seconds"/> as whisper's <c>format_timestamp</c> writes it: rounded half-to-even to the
    /// millisecond, <c>[HH:]MM:SS{marker}mmm</c>, the hours when <paramref name="alwaysIncludeHours"/> or non-zero.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative.</exception>
    public static string FormatTimestamp(double seconds, bool alwaysIncludeHours = false, char decimalMarker = '.')
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);

        // Python's round() is half-to-even, so 0.0005 s is 0 ms there and here.
        var milliseconds = (long)Math.Round(seconds * 1000.0, MidpointRounding.ToEven);
        var hours = milliseconds / 3_600_000;
        milliseconds -= hours * 3_600_000;
        var minutes = milliseconds / 60_000;
        milliseconds -= minutes * 60_000;
        var wholeSeconds = milliseconds / 1_000;
        milliseconds -= wholeSeconds * 1_000;

        var hoursMarker = alwaysIncludeHours || hours > 0 ? $"{hours:00}:" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{hoursMarker}{minutes:00}:{wholeSeconds:00}{decimalMarker}{milliseconds:000}");
    }

    // A "-->" in the text would read as a cue timing line, so it becomes "->" as whisper's writers make it.
    private static void AppendCue(StringBuilder output, TranscriptSegment segment, char decimalMarker) =>
        output.Append(FormatTimestamp(segment.Start, alwaysIncludeHours: true, decimalMarker))
            .Append(" --> ")
            .Append(FormatTimestamp(segment.End, alwaysIncludeHours: true, decimalMarker))
            .Append('\n')
            .Append(segment.Text.Trim().Replace("-->", "->", StringComparison.Ordinal))
            .Append("\n\n");
}
