using System.Collections.Concurrent;

namespace GrainServe.Speech.Audio;

/// <summary>
/// The triangular mel filters Whisper multiplies its power spectrum by: librosa's
/// <c>filters.mel(sr=16000, n_fft=400, n_mels=n)</c> with its defaults (Slaney's mel scale, linear under 1 kHz and
/// logarithmic above, from 0 Hz to 8 kHz; each triangle scaled to unit area, Slaney's <c>norm="slaney"</c>), which is
/// what openai/whisper's <c>mel_filters.npz</c> holds. Immutable.
/// </summary>
public sealed class MelFilterbank
{
    /// <summary>The sample rate the filters are laid out for, in Hz.</summary>
    public const int SampleRate = 16000;

    /// <summary>The FFT size whose bins the filters weight.</summary>
    public const int FftSize = 400;

    /// <summary>Frequency bins of a real FFT of <see cref="FftSize"/>: 0 Hz to 8 kHz in steps of 40 Hz.</summary>
    public const int FrequencyBins = FftSize / 2 + 1;

    private static readonly ConcurrentDictionary<int, MelFilterbank> Cache = new();

    private readonly float[] _weights;
    private readonly int[] _first, _end;

    /// <summary>Wraps weights laid out row-major as [<paramref name="melBins"/>, 201], e.g. read from <c>mel_filters.npz</c>.</summary>
    public MelFilterbank(float[] weights, int melBins)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        if (weights.Length != melBins * FrequencyBins)
        {
            throw new ArgumentException($"{melBins} mel filters of {FrequencyBins} bins are {melBins * FrequencyBins} weights, not {weights.Length}", nameof(weights));
        }

        _weights = weights;
        MelBins = melBins;
        // Each filter is non-zero over a few bins only; the spectrogram's inner loop visits just those.
        _first = new int[melBins];
        _end = new int[melBins];
        for (var m = 0; m < melBins; m++)
        {
            var row = weights.AsSpan(m * FrequencyBins, FrequencyBins);
            var first = row.IndexOfAnyExcept(0f);
            _first[m] = first < 0 ? 0 : first;
            _end[m] = first < 0 ? 0 : row.LastIndexOfAnyExcept(0f) + 1;
        }
    }

    /// <summary>Mel bands: 80 for Whisper up to large-v2, 128 for large-v3.</summary>
    public int MelBins { get; }

    /// <summary>The weights, row-major [<see cref="MelBins"/>, <see cref="FrequencyBins"/>].</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>The weight of FFT bin <paramref name="bin"/> in mel band <paramref name="mel"/>.</summary>
    public float this[int mel, int bin] => _weights[mel * FrequencyBins + bin];

    /// <summary>The filterbank of <paramref name="melBins"/> bands, computed once per size and shared.</summary>
    public static MelFilterbank For(int melBins) => Cache.GetOrAdd(melBins, Create);

    /// <summary>Computes librosa's filterbank of <paramref name="melBins"/> bands (see the class summary).</summary>
    public static MelFilterbank Create(int melBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        var melMax = HzToMel(SampleRate / 2.0);
        var edges = new double[melBins + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHz(melMax * i / (melBins + 1));
        }

        var weights = new float[melBins * FrequencyBins];
        for (var m = 0; m < melBins; m++)
        {
            var enorm = 2.0 / (edges[m + 2] - edges[m]);
            for (var k = 0; k < FrequencyBins; k++)
            {
                var hz = (double)k * SampleRate / FftSize;
                var lower = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                var upper = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                // librosa stores the triangle in float32, then scales that float32 by the float64 area norm.
                var triangle = (float)Math.Max(0, Math.Min(lower, upper));
                weights[m * FrequencyBins + k] = (float)(triangle * enorm);
            }
        }

        return new MelFilterbank(weights, melBins);
    }

    /// <summary>The filters' mel-weighted power, one value per band, of the power spectrum <paramref name="power"/> (201 bins).</summary>
    internal void Apply(ReadOnlySpan<double> power, Span<double> mel)
    {
        for (var m = 0; m < MelBins; m++)
        {
            var row = _weights.AsSpan(m * FrequencyBins, FrequencyBins);
            var sum = 0.0;
            for (var k = _first[m]; k < _end[m]; k++)
            {
                sum += row[k] * power[k];
            }

            mel[m] = sum;
        }
    }

    // Slaney's Auditory Toolbox scale, librosa's htk=False: 200/3 Hz per mel to 1 kHz, then 27 mels per factor 6.4.
    private const double HzPerMel = 200.0 / 3;
    private const double BreakHz = 1000;
    private const double BreakMel = BreakHz / HzPerMel;
    private static readonly double LogStep = Math.Log(6.4) / 27;

    private static double HzToMel(double hz) => hz >= BreakHz ? BreakMel + Math.Log(hz / BreakHz) / LogStep : hz / HzPerMel;

    private static double MelToHz(double mel) => mel >= BreakMel ? BreakHz * Math.Exp(LogStep * (mel - BreakMel)) : HzPerMel * mel;
}
