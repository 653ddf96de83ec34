namespace GrainServe.Speech.Transcription;

/// <summary>
/// Turns Whisper token ids into text and back: the only part of the tokenizer the transcription loop needs, so the
/// loop does not depend on a tokenizer implementation.
/// </summary>
public interface ITranscriptText
{
    /// <summary>
    /// The text of <paramref name="ids"/>, which are ordinary tokens only (below <c>&lt;|endoftext|&gt;</c>): the
    /// loop filters out special and timestamp tokens first, as whisper's <c>tokenizer.decode</c> ignores timestamps.
    /// </summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>The ordinary tokens of <paramref name="text"/>, without special tokens; used for the initial prompt.</summary>
    int[] Encode(string text);
}
