namespace GrainServe.Speech.Transcription;

/// <summary>
/// The forward pass of whisper's <c>find_alignment</c> for one window: the decoder run once over the window's text
/// without timestamps, its cross-attention weights over the alignment heads made into the matrix that dynamic time
/// warping aligns the text with (<see cref="AlignmentMatrix"/>). The runtime implements it on the generation engine.
/// </summary>
public interface IWindowAligner
{
    /// <summary>The matrix for <see cref="WindowAlignRequest.TextTokens"/>: text tokens + 1 rows, the window's audio frames / 2 columns.</summary>
    Task<double[,]> AlignAsync(WindowAlignRequest request, CancellationToken cancellationToken);
}
