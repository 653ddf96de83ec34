namespace GrainServe.Speech.Transcription;

/// <summary>
/// What decoding one window gave, as whisper's <c>DecodingResult</c>. The window's text, its compression ratio and
/// the temperature are not here: the transcriber decodes the text from <paramref name="Tokens"/> itself and knows
/// the temperature it asked for, so each has one source.
/// </summary>
/// <param name="Tokens">The tokens sampled after the prompt and start sequence, without the closing <c>&lt;|endoftext|&gt;</c>; timestamp tokens included.</param>
/// <param name="Language">The language code the window was decoded in: the request's, or the one detected.</param>
/// <param name="AvgLogprob">The sampled sequence's log probability per token, as <see cref="AverageLogProbability"/> computes it.</param>
/// <param name="NoSpeechProb">The probability of <c>&lt;|nospeech|&gt;</c> at the <c>&lt;|startoftranscript|&gt;</c> position, from the first forward pass.</param>
public sealed record WindowDecodeResult(
    IReadOnlyList<int> Tokens,
    string Language,
    double AvgLogprob,
    double NoSpeechProb)
{
    /// <summary>
    /// <c>decoding.py</c>'s <c>avg_logprob</c> (with <c>length_penalty</c> None): the summed log probabilities of the
    /// sampled tokens and of the <c>&lt;|endoftext|&gt;</c> that ended them, over <paramref name="sampledTokens"/> + 1,
    /// the + 1 counting that end token.
    /// </summary>
    /// <param name="sumLogprob">The sum of the log-softmax of every sampled token, the end token included.</param>
    /// <param name="sampledTokens">The tokens sampled before the end token (<see cref="Tokens"/>' count).</param>
    public static double AverageLogProbability(double sumLogprob, int sampledTokens) => sumLogprob / (sampledTokens + 1);
}
