namespace GrainServe.Speech.Xtts;

/// <summary>
/// One synthesis's next vocoder run: rows <see cref="From"/> to <see cref="Count"/> (exclusive) of its latents after
/// XTTS's <c>length_scale</c> stretch, and its speaker embedding. The batcher may start the run earlier than
/// <see cref="From"/> (down to row 0) so it matches other windows' length: more left context than the vocoder's
/// receptive field never changes the samples a window is run for, which is what <c>vocoder_context</c> windowing
/// already rests on. The latents must not change until the decode is answered (the synthesis awaits it).
/// </summary>
internal sealed class VocoderWindow(IReadOnlyList<float[]> latents, double speed, int from, int count, float[] speaker)
{
    /// <summary>The first row the synthesis needs decoded.</summary>
    public int From { get; } = from;

    /// <summary>Stretched rows so far: the window's end, exclusive.</summary>
    public int Count { get; } = count;

    /// <summary>Rows in the window as asked.</summary>
    public int Length => Count - From;

    /// <summary>The speaker embedding the vocoder is conditioned on.</summary>
    public float[] Speaker { get; } = speaker;

    /// <summary>Copies stretched rows <paramref name="from"/> to <see cref="Count"/> into <paramref name="destination"/>, row-major.</summary>
    public void CopyRows(int from, Span<float> destination, int hidden)
    {
        for (var j = from; j < Count; j++)
        {
            // Nearest neighbour in time: a prefix of the codes always stretches to a prefix of the stretched latents,
            // so streaming stays exact (XTTS interpolates linearly over the whole utterance).
            var source = speed == 1 ? j : Math.Min(latents.Count - 1, (int)Math.Floor(j * speed));
            latents[source].CopyTo(destination.Slice((j - from) * hidden, hidden));
        }
    }
}
