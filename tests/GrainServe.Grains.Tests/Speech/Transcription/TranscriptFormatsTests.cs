namespace GrainServe.Speech.Transcription;

/// <summary>
/// Each response format of one transcript against the exact bytes expected: whisper's <c>utils.py</c> writers
/// (numbering from 1, <c>--></c> made <c>-></c>, trimmed text, blank line after each cue) in OpenAI's shapes.
/// </summary>
public sealed class TranscriptFormatsTests
{
    private static readonly Transcript Sample = new(
        TranscriptionTask.Transcribe,
        "en",
        3662.0,
        " Hello world. It's fine --> yes. Later, Tschüss.",
        [
            new TranscriptSegment(0, 0, 0.0, 2.5, " Hello world.", [50364, 1000, 1001, 50489], 0.0, -0.25, 0.9, 0.01,
                [new TranscriptWord(" Hello", 0.0, 1.0), new TranscriptWord(" world.", 1.0, 2.5)]),
            new TranscriptSegment(1, 0, 2.5, 4.04, " It's fine --> yes.", [50489, 1002, 50566], 0.0, -0.25, 0.9, 0.01, []),
            new TranscriptSegment(2, 360000, 3600.0, 3661.5, " Later, Tschüss.", [50364, 1003, 50414], 1.0, -1.5, 2.5, 0.125, []),
        ]);

    [Fact]
    public void Srt_Segments_NumberedFromOneWithHoursAndCommas()
    {
        Assert.Equal(
            "1\n00:00:00,000 --> 00:00:02,500\nHello world.\n\n" +
            "2\n00:00:02,500 --> 00:00:04,040\nIt's fine -> yes.\n\n" +
            "3\n01:00:00,000 --> 01:01:01,500\nLater, Tschüss.\n\n",
            TranscriptFormats.Srt(Sample));
    }

    [Fact]
    public void Vtt_Segments_HeaderThenCuesWithDots()
    {
        Assert.Equal(
            "WEBVTT\n\n" +
            "00:00:00.000 --> 00:00:02.500\nHello world.\n\n" +
            "00:00:02.500 --> 00:00:04.040\nIt's fine -> yes.\n\n" +
            "01:00:00.000 --> 01:01:01.500\nLater, Tschüss.\n\n",
            TranscriptFormats.Vtt(Sample));
    }

    [Fact]
    public void Text_Transcript_TrimmedTextAndANewline()
    {
        Assert.Equal("Hello world. It's fine --> yes. Later, Tschüss.\n", TranscriptFormats.Text(Sample));
    }

    [Fact]
    public void Json_Transcript_TextOnly()
    {
        Assert.Equal("""{"text":"Hello world. It's fine --> yes. Later, Tschüss."}""", TranscriptFormats.Json(Sample));
    }

    [Fact]
    public void VerboseJson_Transcript_OpenAIsShapeWithoutWords()
    {
        Assert.Equal(
            """{"task":"transcribe","language":"english","duration":3662.0,"text":"Hello world. It's fine --> yes. Later, Tschüss.","segments":[""" +
            """{"id":0,"seek":0,"start":0.0,"end":2.5,"text":" Hello world.","tokens":[50364,1000,1001,50489],"temperature":0.0,"avg_logprob":-0.25,"compression_ratio":0.9,"no_speech_prob":0.01},""" +
            """{"id":1,"seek":0,"start":2.5,"end":4.04,"text":" It's fine --> yes.","tokens":[50489,1002,50566],"temperature":0.0,"avg_logprob":-0.25,"compression_ratio":0.9,"no_speech_prob":0.01},""" +
            """{"id":2,"seek":360000,"start":3600.0,"end":3661.5,"text":" Later, Tschüss.","tokens":[50364,1003,50414],"temperature":1.0,"avg_logprob":-1.5,"compression_ratio":2.5,"no_speech_prob":0.125}]}""",
            TranscriptFormats.VerboseJson(Sample));
    }

    [Fact]
    public void VerboseJson_WordsAsked_ListsEverySegmentsWordsAfterTheSegments()
    {
        var json = TranscriptFormats.VerboseJson(Sample with { Task = TranscriptionTask.Translate, Language = "de" }, includeWords: true);

        Assert.StartsWith("""{"task":"translate","language":"german","duration":3662.0,""", json);
        Assert.EndsWith(
            """"no_speech_prob":0.125}],"words":[{"word":" Hello","start":0.0,"end":1.0},{"word":" world.","start":1.0,"end":2.5}]}"""",
            json);
    }

    [Theory]
    [InlineData(TranscriptResponseFormats.Json, """{"text":"Hello world. It's fine --> yes. Later, Tschüss."}""")]
    [InlineData(TranscriptResponseFormats.Text, "Hello world. It's fine --> yes. Later, Tschüss.\n")]
    public void Format_ResponseFormat_PicksTheWriter(string responseFormat, string expected)
    {
        Assert.Equal(expected, TranscriptFormats.Format(Sample, responseFormat));
    }

    [Fact]
    public void Format_UnknownResponseFormat_Throws()
    {
        Assert.Throws<ArgumentException>(() => TranscriptFormats.Format(Sample, "xml"));
    }

    [Theory]
    [InlineData(0.0, false, '.', "00:00.000")]
    [InlineData(0.0, true, ',', "00:00:00,000")]
    [InlineData(59.9996, false, '.', "01:00.000")]
    [InlineData(61.25, false, '.', "01:01.250")]
    [InlineData(3661.5, false, '.', "01:01:01.500")]
    [InlineData(0.0005, false, '.', "00:00.000")]
    [InlineData(0.0015, false, '.', "00:00.002")]
    [InlineData(0.0025, false, '.', "00:00.002")]
    [InlineData(360000.0, false, ',', "100:00:00,000")]
    public void FormatTimestamp_Seconds_AsWhispersFormatTimestamp(double seconds, bool alwaysIncludeHours, char decimalMarker, string expected)
    {
        Assert.Equal(expected, TranscriptFormats.FormatTimestamp(seconds, alwaysIncludeHours, decimalMarker));
    }

    [Fact]
    public void FormatTimestamp_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TranscriptFormats.FormatTimestamp(-0.01));
    }
}
