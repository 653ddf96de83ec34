namespace GrainServe.Generation;

/// <summary>
/// A token matched whole in the input before the model's own tokenization (Hugging Face <c>added_tokens</c>, tiktoken's
/// special tokens). <paramref name="Special"/> ones are left out of decoded text when special tokens are skipped;
/// <paramref name="LStrip"/>/<paramref name="RStrip"/> let the match take the whitespace on that side.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false);
