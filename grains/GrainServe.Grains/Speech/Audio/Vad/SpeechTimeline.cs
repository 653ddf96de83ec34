namespace GrainServe.Speech.Audio.Vad;

/// <summary>
/// faster-whisper's <c>collect_chunks</c> and <c>SpeechTimestampsMap</c>: the speech of a recording joined into one
/// shorter recording, and times in that one mapped back to the original by the silence cut before each stretch.
/// </summary>
internal sealed class SpeechTimeline
{
    private readonly int _sampleRate;
    private readonly int[] _chunkEnds;
    private readonly double[] _silenceBefore;

    /// <summary>The timeline of <paramref name="regions"/>, in order and not overlapping.</summary>
    public SpeechTimeline(IReadOnlyList<SpeechRegion> regions, int sampleRate)
    {
        Regions = regions;
        _sampleRate = sampleRate;
        _chunkEnds = new int[regions.Count];
        _silenceBefore = new double[regions.Count];
        int previousEnd = 0, silent = 0;
        for (var i = 0; i < regions.Count; i++)
        {
            silent += regions[i].Start - previousEnd;
            previousEnd = regions[i].End;
            _chunkEnds[i] = regions[i].End - silent;
            _silenceBefore[i] = silent / (double)sampleRate;
        }
    }

    /// <summary>The stretches of speech kept.</summary>
    public IReadOnlyList<SpeechRegion> Regions { get; }

    /// <summary>Samples of speech in all.</summary>
    public int SpeechSamples => Regions.Sum(r => r.Length);

    /// <summary>The stretches of speech of <paramref name="samples"/>, one after another.</summary>
    public float[] Collect(ReadOnlySpan<float> samples)
    {
        var joined = new float[SpeechSamples];
        var at = 0;
        foreach (var region in Regions)
        {
            samples[region.Start..region.End].CopyTo(joined.AsSpan(at));
            at += region.Length;
        }

        return joined;
    }

    /// <summary>
    /// The stretch <paramref name="time"/> seconds into the joined speech falls in. An end that falls exactly at a
    /// stretch's end stays in that stretch rather than opening the next.
    /// </summary>
    public int ChunkIndex(double time, bool isEnd = false)
    {
        var sample = (int)(time * _sampleRate);
        return isEnd && Array.IndexOf(_chunkEnds, sample) is >= 0 and var exact
            ? exact
            : Math.Min(UpperBound(sample), _chunkEnds.Length - 1);
    }

    /// <summary>
    /// The original time of <paramref name="time"/> seconds into the joined speech, taken as in stretch
    /// <paramref name="chunk"/> (its own by default), to 10 ms as faster-whisper rounds it.
    /// </summary>
    public double ToOriginal(double time, bool isEnd = false, int? chunk = null) =>
        _chunkEnds.Length == 0 ? time : Math.Round(_silenceBefore[chunk ?? ChunkIndex(time, isEnd)] + time, 2, MidpointRounding.ToEven);

    // Python's bisect.bisect (bisect_right): the first index whose end is greater than the sample.
    private int UpperBound(int sample)
    {
        int low = 0, high = _chunkEnds.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_chunkEnds[mid] <= sample)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
