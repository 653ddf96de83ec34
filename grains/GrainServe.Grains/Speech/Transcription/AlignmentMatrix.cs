namespace GrainServe.Speech.Transcription;

/// <summary>
/// The text-against-audio matrix whisper's <c>find_alignment</c> warps: the alignment heads' cross-attention
/// weights, each softmaxed over the audio, standardised per audio frame over the tokens, median-filtered along the
/// audio, then averaged over the heads.
/// </summary>
internal static class AlignmentMatrix
{
    /// <summary>Whisper's <c>medfilt_width</c>.</summary>
    public const int MedianFilterWidth = 7;

    /// <summary>
    /// The matrix for the text tokens: one row per position from the <c>&lt;|notimestamps|&gt;</c> token to the last
    /// text token (each predicts the next text token, the last one <c>&lt;|endoftext|&gt;</c>), one column per encoder
    /// position of audio (<paramref name="frames"/> / 2).
    /// </summary>
    /// <param name="heads">Per alignment head, its weights before the softmax, <c>[tokens, positions]</c> row-major, over the whole alignment sequence.</param>
    /// <param name="tokens">The alignment sequence's length: start sequence, <c>&lt;|notimestamps|&gt;</c>, text, <c>&lt;|endoftext|&gt;</c>.</param>
    /// <param name="positions">Encoder positions per row (1500).</param>
    /// <param name="frames">The window's mel frames of audio (whisper's <c>num_frames</c>, at most 3000).</param>
    /// <param name="startLength">The start sequence's tokens (<c>sot_sequence</c>: 1 for English-only models, 3 for multilingual ones).</param>
    public static double[,] Compute(IReadOnlyList<float[]> heads, int tokens, int positions, int frames, int startLength)
    {
        var columns = Math.Min(frames / 2, positions);
        var rows = tokens - startLength - 1;
        if (heads.Count == 0 || rows <= 0 || columns <= 0)
        {
            throw new ArgumentException($"no alignment: {heads.Count} heads, {rows} text rows, {columns} audio columns");
        }

        var mean = new double[rows, columns];
        var weights = new double[tokens * columns];
        var filtered = new double[columns];
        foreach (var head in heads)
        {
            for (var t = 0; t < tokens; t++)
            {
                Softmax(head.AsSpan(t * positions, columns), weights.AsSpan(t * columns, columns));
            }

            Standardise(weights, tokens, columns);
            for (var r = 0; r < rows; r++)
            {
                MedianFilter(weights.AsSpan((startLength + r) * columns, columns), filtered, MedianFilterWidth);
                for (var c = 0; c < columns; c++)
                {
                    mean[r, c] += filtered[c] / heads.Count;
                }
            }
        }

        return mean;
    }

    private static void Softmax(ReadOnlySpan<float> logits, Span<double> output)
    {
        var max = double.NegativeInfinity;
        foreach (var value in logits)
        {
            max = Math.Max(max, value);
        }

        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            output[i] = Math.Exp(logits[i] - max);
            sum += output[i];
        }

        for (var i = 0; i < logits.Length; i++)
        {
            output[i] /= sum;
        }
    }

    // torch.std_mean over the token axis, unbiased=False: every token of the sequence, the start sequence included.
    private static void Standardise(double[] weights, int tokens, int columns)
    {
        for (var c = 0; c < columns; c++)
        {
            var sum = 0.0;
            for (var t = 0; t < tokens; t++)
            {
                sum += weights[(t * columns) + c];
            }

            var mean = sum / tokens;
            var squares = 0.0;
            for (var t = 0; t < tokens; t++)
            {
                var d = weights[(t * columns) + c] - mean;
                squares += d * d;
            }

            var std = Math.Sqrt(squares / tokens);
            for (var t = 0; t < tokens; t++)
            {
                weights[(t * columns) + c] = (weights[(t * columns) + c] - mean) / std;
            }
        }
    }

    /// <summary>
    /// timing.py's <c>median_filter</c> along one row: reflect padding (the edge not repeated) of width / 2 each side,
    /// then the median of each window; a row no longer than width / 2 is left as it is, as whisper leaves it.
    /// </summary>
    internal static void MedianFilter(ReadOnlySpan<double> row, Span<double> output, int width)
    {
        var pad = width / 2;
        if (row.Length <= pad)
        {
            row.CopyTo(output);
            return;
        }

        Span<double> window = stackalloc double[width];
        for (var i = 0; i < row.Length; i++)
        {
            for (var k = 0; k < width; k++)
            {
                var at = i + k - pad;
                at = at < 0 ? -at : at >= row.Length ? (2 * (row.Length - 1)) - at : at;
                window[k] = row[at];
            }

            window.Sort();
            output[i] = window[pad];
        }
    }
}
