namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>handle_chunks</c>: each time the vocoder has decoded the latents so far, the part not yet sent is cut out
/// and its first <c>overlap</c> samples are crossfaded (linear, over <c>overlap_wav_len</c>) with the previous decode's
/// last <c>overlap</c> samples, which were held back. So every sample is sent once, and a sample outside the crossfade
/// windows comes from a decode that had the latents on both sides of it: it equals the one-shot decode's. Pure.
/// </summary>
/// <remarks>
/// Unlike XTTS, the last stretch is sent whole (XTTS drops its final <c>overlap</c> samples), so the streamed audio is as
/// long as the one-shot audio.
/// </remarks>
internal sealed class StreamCrossfade(int overlap)
{
    private float[]? _held;
    private int _previousLength;

    /// <summary>
    /// The next stretch to send, given <paramref name="wav"/>, the decode of every latent so far (longer each call), and
    /// whether it is the last. Holds back the last <c>overlap</c> samples unless <paramref name="last"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The decode grew by less than the overlap (and is not the last), or shrank.</exception>
    public float[] Next(ReadOnlySpan<float> wav, bool last) => Next(wav, 0, last);

    /// <summary>
    /// As <see cref="Next(ReadOnlySpan{float}, bool)"/>, given only the tail of the decode: <paramref name="decoded"/>
    /// holds its samples from <paramref name="offset"/> on (a vocoder run over a window of the latents, whose first
    /// samples, short of their left context, are never used). The tail must reach back to the held overlap.
    /// </summary>
    /// <exception cref="ArgumentException">The tail starts after the samples still to send, or the decode grew by less than the overlap.</exception>
    public float[] Next(ReadOnlySpan<float> decoded, int offset, bool last)
    {
        var length = offset + decoded.Length;
        var start = _held is null ? 0 : _previousLength - overlap;
        var end = last ? length : length - overlap;
        if (start < offset)
        {
            throw new ArgumentException($"a decode from sample {offset} misses samples {start} to {offset} still to send");
        }

        if (end - start < (_held is null ? 0 : overlap) || (!last && decoded.Length < overlap))
        {
            throw new ArgumentException($"a decode of {length} samples after one of {_previousLength} leaves less than the {overlap}-sample crossfade");
        }

        var stretch = decoded[(start - offset)..(end - offset)].ToArray();
        if (_held is { } held)
        {
            for (var i = 0; i < overlap; i++)
            {
                var rise = overlap == 1 ? 1f : i / (float)(overlap - 1);
                stretch[i] = (held[i] * (1 - rise)) + (stretch[i] * rise);
            }
        }

        _held = last ? null : decoded[^overlap..].ToArray();
        _previousLength = length;
        return stretch;
    }
}
