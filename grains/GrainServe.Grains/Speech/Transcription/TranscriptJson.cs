using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GrainServe.Speech.Whisper;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// Writes the <c>json</c> and <c>verbose_json</c> bodies with <see cref="Utf8JsonWriter"/>, which keeps OpenAI's
/// member order and writes each float as Python's <c>json</c> does (<c>0.0</c>, not <c>0</c>), so the bodies read
/// as OpenAI's and whisper's.
/// </summary>
internal static class TranscriptJson
{
    // Text is not HTML here: apostrophes and non-ASCII letters are written as they are, not as \u escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(Transcript transcript) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("text", transcript.Text.Trim());
        writer.WriteEndObject();
    });

    public static string VerboseJson(Transcript transcript, bool includeWords) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("task", transcript.Task == TranscriptionTask.Translate ? "translate" : "transcribe");
        writer.WriteString("language", WhisperLanguages.Names.GetValueOrDefault(transcript.Language, transcript.Language));
        WriteFloat(writer, "duration", transcript.Duration);
        writer.WriteString("text", transcript.Text.Trim());
        writer.WriteStartArray("segments");
        foreach (var segment in transcript.Segments)
        {
            WriteSegment(writer, segment);
        }

        writer.WriteEndArray();
        if (includeWords)
        {
            writer.WriteStartArray("words");
            foreach (var word in transcript.Segments.SelectMany(segment => segment.Words))
            {
                writer.WriteStartObject();
                writer.WriteString("word", word.Word);
                WriteFloat(writer, "start", word.Start);
                WriteFloat(writer, "end", word.End);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    });

    private static void WriteSegment(Utf8JsonWriter writer, TranscriptSegment segment)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", segment.Id);
        writer.WriteNumber("seek", segment.Seek);
        WriteFloat(writer, "start", segment.Start);
        WriteFloat(writer, "end", segment.End);
        writer.WriteString("text", segment.Text);
        writer.WriteStartArray("tokens");
        foreach (var token in segment.Tokens)
        {
            writer.WriteNumberValue(token);
        }

        writer.WriteEndArray();
        WriteFloat(writer, "temperature", segment.Temperature);
        WriteFloat(writer, "avg_logprob", segment.AvgLogprob);
        WriteFloat(writer, "compression_ratio", segment.CompressionRatio);
        WriteFloat(writer, "no_speech_prob", segment.NoSpeechProb);
        writer.WriteEndObject();
    }

    // Python's repr: the shortest round-trip digits, ".0" on whole numbers, a lower-case exponent.
    private static void WriteFloat(Utf8JsonWriter writer, string name, double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
        if (text.AsSpan().IndexOfAny('.', 'e') < 0)
        {
            text += ".0";
        }

        writer.WritePropertyName(name);
        writer.WriteRawValue(text);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
