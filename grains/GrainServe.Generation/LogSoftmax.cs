namespace GrainServe.Generation;

/// <summary>
/// The log of a row of logits' softmax denominator, computed stably (the largest logit taken out first): what the
/// sampler's log-probabilities, Whisper's beam search and its no-speech probability all divide by.
/// </summary>
public static class LogSoftmax
{
    /// <summary>log Σ exp(logit); −∞ for a row that is all −∞.</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        foreach (var value in logits)
        {
            max = Math.Max(max, value);
        }

        if (float.IsNegativeInfinity(max))
        {
            return double.NegativeInfinity;
        }

        var sum = 0.0;
        foreach (var value in logits)
        {
            sum += Math.Exp(value - max);
        }

        return max + Math.Log(sum);
    }
}
