using NAudio.Dsp;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Resamples a stream of mono samples block by block with NAudio's port of Cockos WDL's windowed-sinc resampler (the
/// one Whisper's uploads go through), input-driven: each block in gives what it can out now, and
/// <see cref="Flush"/> the filter's tail, so the whole is as long as the input's duration at the new rate.
/// </summary>
internal sealed class StreamingResampler
{
    private readonly WdlResampler _resampler = new();
    private readonly double _ratio;
    private readonly int _fromRate;
    private readonly int _toRate;
    private long _consumed;
    private long _produced;

    public StreamingResampler(int fromRate, int toRate)
    {
        _ratio = (double)toRate / fromRate;
        _fromRate = fromRate;
        _toRate = toRate;
        _resampler.SetMode(true, 0, true);
        _resampler.SetFeedMode(true);
        _resampler.SetRates(fromRate, toRate);
    }

    /// <summary>The output that <paramref name="samples"/> makes ready.</summary>
    public float[] Process(ReadOnlySpan<float> samples)
    {
        if (samples.Length == 0)
        {
            return [];
        }

        var wanted = _resampler.ResamplePrepare(samples.Length, 1, out var input);
        samples[..wanted].CopyTo(input);
        var output = new float[(int)Math.Ceiling(samples.Length * _ratio) + 64];
        var made = _resampler.ResampleOut(output, wanted, output.Length, 1);
        _consumed += samples.Length;
        // Never ahead of the input's duration at the new rate (WDL can be one sample early): a stream's length is the
        // same however it was cut into blocks.
        made = (int)Math.Min(made, Owed() - _produced);
        _produced += made;
        return output[..made];
    }

    /// <summary>The rest, up to the input's duration at the new rate.</summary>
    public float[] Flush()
    {
        var remaining = (int)Math.Max(0, Owed() - _produced);
        if (remaining == 0)
        {
            return [];
        }

        // Silence fed through pushes the filter's delayed tail out; only what the input's duration owes is kept.
        var tail = new List<float>(remaining);
        while (tail.Count < remaining)
        {
            var silence = new float[1024];
            var wanted = _resampler.ResamplePrepare(silence.Length, 1, out var input);
            silence.AsSpan(0, wanted).CopyTo(input);
            var output = new float[(int)Math.Ceiling(wanted * _ratio) + 64];
            var made = _resampler.ResampleOut(output, wanted, output.Length, 1);
            tail.AddRange(output.AsSpan(0, Math.Min(made, remaining - tail.Count)));
        }

        _produced += tail.Count;
        return [.. tail];
    }

    // The input's duration at the new rate, rounded up, in whole numbers (a double's product can land a hair above).
    private long Owed() => (_consumed * _toRate + _fromRate - 1) / _fromRate;
}
