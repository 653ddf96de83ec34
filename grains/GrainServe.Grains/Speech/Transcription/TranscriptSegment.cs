namespace GrainServe.Speech.Transcription;

/// <summary>One segment of a transcript, as whisper's <c>transcribe()</c> and OpenAI's <c>verbose_json</c> give it.</summary>
/// <param name="Id">The segment's index in the transcript, from 0.</param>
/// <param name="Seek">The first mel frame (10 ms each) of the window the segment was decoded from.</param>
/// <param name="Start">The segment's start, in seconds from the start of the audio.</param>
/// <param name="End">The segment's end, in seconds from the start of the audio.</param>
/// <param name="Text">The segment's text, with the leading space Whisper's tokens carry; empty for a cleared segment (no text, or starting where it ends).</param>
/// <param name="Tokens">The segment's tokens, its timestamp tokens included; empty for a cleared segment.</param>
/// <param name="Temperature">The temperature the window was decoded at (after any fallback).</param>
/// <param name="AvgLogprob">The window's average log probability per sampled token.</param>
/// <param name="CompressionRatio">The window's text's zlib compression ratio (see <see cref="Transcription.CompressionRatio.Of"/>).</param>
/// <param name="NoSpeechProb">The window's probability of <c>&lt;|nospeech|&gt;</c>.</param>
/// <param name="Words">The words with their timestamps when <see cref="TranscribeOptions.WordTimestamps"/> is set, else empty; empty for a cleared segment.</param>
public sealed record TranscriptSegment(
    int Id,
    int Seek,
    double Start,
    double End,
    string Text,
    IReadOnlyList<int> Tokens,
    double Temperature,
    double AvgLogprob,
    double CompressionRatio,
    double NoSpeechProb,
    IReadOnlyList<TranscriptWord> Words);
