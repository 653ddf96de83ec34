namespace GrainServe.Speech.Audio;

/// <summary>
/// The power spectrum of a real frame of even length N: a mixed-radix Cooley-Tukey FFT of the N/2 complex values
/// (x[2n], x[2n+1]), then the split that recovers the N/2 + 1 bins of the real transform. In double precision, so
/// bins eight decades under the loudest (where Whisper's floor cuts) are still accurate. One instance per thread: it
/// keeps scratch buffers.
/// </summary>
internal sealed class RealFft
{
    private readonly int _half;
    private readonly int[] _factors;
    private readonly double[] _twiddleRe, _twiddleIm;   // W_half^j = exp(-2πij / half), j < half
    private readonly double[] _splitRe, _splitIm;       // W_N^k, k <= half
    private readonly double[][] _smallDftRe, _smallDftIm;  // per level: W_p^{rq} at [q·p + r]
    private readonly double[] _inRe, _inIm, _outRe, _outIm, _sumRe, _sumIm;

    /// <summary>Plans transforms of <paramref name="length"/> real samples (even).</summary>
    public RealFft(int length)
    {
        if (length < 4 || length % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "the real FFT needs an even length of at least 4");
        }

        _half = length / 2;
        var factors = new List<int>();
        var rest = _half;
        // Radix 4 before 2 halves the passes over the data for the power-of-two part.
        foreach (var radix in (int[])[4, 2, 3, 5])
        {
            for (; rest % radix == 0; rest /= radix)
            {
                factors.Add(radix);
            }
        }

        for (var p = 7; rest > 1; p += 2)
        {
            for (; rest % p == 0; rest /= p)
            {
                factors.Add(p);
            }
        }

        _factors = [.. factors];
        _twiddleRe = new double[_half];
        _twiddleIm = new double[_half];
        for (var j = 0; j < _half; j++)
        {
            _twiddleRe[j] = Math.Cos(2 * Math.PI * j / _half);
            _twiddleIm[j] = -Math.Sin(2 * Math.PI * j / _half);
        }

        _splitRe = new double[_half + 1];
        _splitIm = new double[_half + 1];
        for (var k = 0; k <= _half; k++)
        {
            _splitRe[k] = Math.Cos(Math.PI * k / _half);
            _splitIm[k] = -Math.Sin(Math.PI * k / _half);
        }

        _smallDftRe = [.. _factors.Select(p => SmallDft(p, Math.Cos))];
        _smallDftIm = [.. _factors.Select(p => SmallDft(p, x => -Math.Sin(x)))];
        var maxFactor = _factors.Length == 0 ? 1 : _factors.Max();
        (_inRe, _inIm, _outRe, _outIm) = (new double[_half], new double[_half], new double[_half], new double[_half]);
        (_sumRe, _sumIm) = (new double[maxFactor], new double[maxFactor]);
    }

    /// <summary>|X[k]|² for k = 0 … N/2 of the real <paramref name="frame"/> (length N) into <paramref name="power"/>.</summary>
    public void Power(ReadOnlySpan<double> frame, Span<double> power)
    {
        for (var n = 0; n < _half; n++)
        {
            _inRe[n] = frame[2 * n];
            _inIm[n] = frame[2 * n + 1];
        }

        Transform(0, 1, _half, 0, 0);
        for (var k = 0; k <= _half; k++)
        {
            var a = k == _half ? 0 : k;
            var b = k == 0 ? 0 : _half - k;
            double zr = _outRe[a], zi = _outIm[a], cr = _outRe[b], ci = -_outIm[b];
            // Even part (Z[k] + conj Z[N/2-k]) / 2; odd part (Z[k] - conj Z[N/2-k]) / 2i, turned by W_N^k.
            double er = (zr + cr) * 0.5, ei = (zi + ci) * 0.5;
            double or = (zi - ci) * 0.5, oi = -(zr - cr) * 0.5;
            var xr = er + (or * _splitRe[k] - oi * _splitIm[k]);
            var xi = ei + (or * _splitIm[k] + oi * _splitRe[k]);
            power[k] = xr * xr + xi * xi;
        }
    }

    private static double[] SmallDft(int p, Func<double, double> part) =>
        [.. Enumerable.Range(0, p * p).Select(i => part(2 * Math.PI * (i / p * (i % p) % p) / p))];

    // The DFT of the n inputs at offset + j·stride into _out[outOffset ..+n), decimating in time by _factors[level].
    private void Transform(int offset, int stride, int n, int level, int outOffset)
    {
        var p = _factors[level];
        var m = n / p;
        if (m == 1)
        {
            // The last factor: its sub-transforms are single inputs, and every twiddle is 1.
            for (var r = 0; r < p; r++)
            {
                _sumRe[r] = _inRe[offset + r * stride];
                _sumIm[r] = _inIm[offset + r * stride];
            }

            Butterfly(p, level, outOffset, 1);
            return;
        }

        for (var r = 0; r < p; r++)
        {
            Transform(offset + r * stride, stride * p, m, level + 1, outOffset + r * m);
        }

        var step = _half / n;
        for (var k = 0; k < m; k++)
        {
            // t_r = W_n^{rk} · Y_r[k]; then X[k + q·m] = Σ_r t_r · W_p^{rq}, written back over the same p slots.
            _sumRe[0] = _outRe[outOffset + k];
            _sumIm[0] = _outIm[outOffset + k];
            for (var r = 1; r < p; r++)
            {
                var at = outOffset + r * m + k;
                var w = r * k * step;
                double yr = _outRe[at], yi = _outIm[at], wr = _twiddleRe[w], wi = _twiddleIm[w];
                _sumRe[r] = yr * wr - yi * wi;
                _sumIm[r] = yr * wi + yi * wr;
            }

            Butterfly(p, level, outOffset + k, m);
        }
    }

    // The p-point DFT of _sum into _out[at + q·m], q < p.
    private void Butterfly(int p, int level, int at, int m)
    {
        switch (p)
        {
            case 2:
                _outRe[at] = _sumRe[0] + _sumRe[1];
                _outIm[at] = _sumIm[0] + _sumIm[1];
                _outRe[at + m] = _sumRe[0] - _sumRe[1];
                _outIm[at + m] = _sumIm[0] - _sumIm[1];
                return;
            case 4:
            {
                // W_4 = -i: additions only.
                double s0r = _sumRe[0] + _sumRe[2], s0i = _sumIm[0] + _sumIm[2];
                double d0r = _sumRe[0] - _sumRe[2], d0i = _sumIm[0] - _sumIm[2];
                double s1r = _sumRe[1] + _sumRe[3], s1i = _sumIm[1] + _sumIm[3];
                double d1r = _sumRe[1] - _sumRe[3], d1i = _sumIm[1] - _sumIm[3];
                _outRe[at] = s0r + s1r;
                _outIm[at] = s0i + s1i;
                _outRe[at + m] = d0r + d1i;
                _outIm[at + m] = d0i - d1r;
                _outRe[at + 2 * m] = s0r - s1r;
                _outIm[at + 2 * m] = s0i - s1i;
                _outRe[at + 3 * m] = d0r - d1i;
                _outIm[at + 3 * m] = d0i + d1r;
                return;
            }

            case 5:
            {
                // Pairs (1, 4) and (2, 3) share cosines and differ in the sign of the sines.
                double a1r = _sumRe[1] + _sumRe[4], a1i = _sumIm[1] + _sumIm[4], b1r = _sumRe[1] - _sumRe[4], b1i = _sumIm[1] - _sumIm[4];
                double a2r = _sumRe[2] + _sumRe[3], a2i = _sumIm[2] + _sumIm[3], b2r = _sumRe[2] - _sumRe[3], b2i = _sumIm[2] - _sumIm[3];
                double t0r = _sumRe[0], t0i = _sumIm[0];
                double p1r = t0r + Cos1 * a1r + Cos2 * a2r, p1i = t0i + Cos1 * a1i + Cos2 * a2i;
                double q1r = Sin1 * b1r + Sin2 * b2r, q1i = Sin1 * b1i + Sin2 * b2i;
                double p2r = t0r + Cos2 * a1r + Cos1 * a2r, p2i = t0i + Cos2 * a1i + Cos1 * a2i;
                double q2r = Sin2 * b1r - Sin1 * b2r, q2i = Sin2 * b1i - Sin1 * b2i;
                _outRe[at] = t0r + a1r + a2r;
                _outIm[at] = t0i + a1i + a2i;
                _outRe[at + m] = p1r + q1i;
                _outIm[at + m] = p1i - q1r;
                _outRe[at + 4 * m] = p1r - q1i;
                _outIm[at + 4 * m] = p1i + q1r;
                _outRe[at + 2 * m] = p2r + q2i;
                _outIm[at + 2 * m] = p2i - q2r;
                _outRe[at + 3 * m] = p2r - q2i;
                _outIm[at + 3 * m] = p2i + q2r;
                return;
            }

            default:
            {
                var dftRe = _smallDftRe[level];
                var dftIm = _smallDftIm[level];
                for (var q = 0; q < p; q++)
                {
                    double sr = 0, si = 0;
                    for (var r = 0; r < p; r++)
                    {
                        double wr = dftRe[q * p + r], wi = dftIm[q * p + r];
                        sr += _sumRe[r] * wr - _sumIm[r] * wi;
                        si += _sumRe[r] * wi + _sumIm[r] * wr;
                    }

                    _outRe[at + q * m] = sr;
                    _outIm[at + q * m] = si;
                }

                return;
            }
        }
    }

    private static readonly double Cos1 = Math.Cos(2 * Math.PI / 5), Cos2 = Math.Cos(4 * Math.PI / 5);
    private static readonly double Sin1 = Math.Sin(2 * Math.PI / 5), Sin2 = Math.Sin(4 * Math.PI / 5);
}
