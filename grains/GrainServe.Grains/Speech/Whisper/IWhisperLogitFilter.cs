namespace GrainServe.Speech.Whisper;

/// <summary>
/// A rule on the next token of a Whisper decode, as openai/whisper's <c>decoding.py</c> <c>LogitFilter</c>s are: it
/// changes one step's logits in place, usually setting forbidden tokens to −∞, before the token is chosen.
/// Implementations hold no per-sequence state, so one instance serves every sequence of a batch.
/// </summary>
public interface IWhisperLogitFilter
{
    /// <summary>Applies the rule to one sequence's logits for the next token.</summary>
    /// <param name="logits">The logits over the whole vocabulary (<see cref="WhisperTokenizer.VocabularySize"/> wide).</param>
    /// <param name="sampled">
    /// The tokens generated so far, after the initial prompt (<c>tokens[sample_begin:]</c>): empty at the first step.
    /// </param>
    void Apply(Span<float> logits, ReadOnlySpan<int> sampled);
}
