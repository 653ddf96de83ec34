namespace GrainServe.Speech.Synthesis;

/// <summary>Float samples to 16-bit PCM, as WAV, raw <c>pcm</c> and INT16 outputs carry them.</summary>
public static class Pcm16
{
    /// <summary>Clamps each sample to [-1, 1] and scales it to a 16-bit integer, rounding to nearest.</summary>
    public static short[] FromFloat(ReadOnlySpan<float> samples)
    {
        var pcm = new short[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            var clamped = float.IsNaN(samples[i]) ? 0f : Math.Clamp(samples[i], -1f, 1f);
            pcm[i] = (short)MathF.Round(clamped * short.MaxValue);
        }

        return pcm;
    }
}
