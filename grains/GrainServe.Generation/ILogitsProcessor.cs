namespace GrainServe.Generation;

/// <summary>
/// A request's own rule over its logits, applied before penalties and sampling at every step of that sequence, as
/// vLLM's per-request logits processors are: Whisper's timestamp rules and suppressed tokens, forced tokens. Called on
/// the engine's loop thread; one instance serves one sequence.
/// </summary>
public interface ILogitsProcessor
{
    /// <summary>Changes <paramref name="logits"/> in place (typically sets tokens to negative infinity).</summary>
    /// <param name="output">The tokens this sequence has generated so far (after its prompt).</param>
    /// <param name="logits">The next token's logits, one per vocabulary entry; a copy the processor may write.</param>
    void Process(ReadOnlySpan<int> output, Span<float> logits);
}
