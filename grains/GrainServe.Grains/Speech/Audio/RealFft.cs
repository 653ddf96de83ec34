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
        if (length < 2 || length % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "the real FFT needs an even length");
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
        if (n == 1)
        {
            _outRe[outOffset] = _inRe[offset];
            _outIm[outOffset] = _inIm[offset];
            return;
        }

        var p = _factors[level];
        var m = n / p;
        for (var r = 0; r < p; r++)
        {
            Transform(offset + r * stride, stride * p, m, level + 1, outOffset + r * m);
        }

        var step = _half / n;
        for (var k = 0; k < m; k++)
        {
            // t_r = W_n^{rk} · Y_r[k]; then X[k + q·m] = Σ_r t_r · W_p^{rq}, written back over the same p slots.
            for (var r = 0; r < p; r++)
            {
                var at = outOffset + r * m + k;
                var w = r * k * step;
                double yr = _outRe[at], yi = _outIm[at], wr = _twiddleRe[w], wi = _twiddleIm[w];
                _sumRe[r] = yr * wr - yi * wi;
                _sumIm[r] = yr * wi + yi * wr;
            }

            var a = outOffset + k;
            if (p == 2)
            {
                _outRe[a] = _sumRe[0] + _sumRe[1];
                _outIm[a] = _sumIm[0] + _sumIm[1];
                _outRe[a + m] = _sumRe[0] - _sumRe[1];
                _outIm[a + m] = _sumIm[0] - _sumIm[1];
            }
            else if (p == 4)
            {
                // W_4 = -i: the butterfly needs only additions.
                double s0r = _sumRe[0] + _sumRe[2], s0i = _sumIm[0] + _sumIm[2];
                double d0r = _sumRe[0] - _sumRe[2], d0i = _sumIm[0] - _sumIm[2];
                double s1r = _sumRe[1] + _sumRe[3], s1i = _sumIm[1] + _sumIm[3];
                double d1r = _sumRe[1] - _sumRe[3], d1i = _sumIm[1] - _sumIm[3];
                _outRe[a] = s0r + s1r;
                _outIm[a] = s0i + s1i;
                _outRe[a + m] = d0r + d1i;
                _outIm[a + m] = d0i - d1r;
                _outRe[a + 2 * m] = s0r - s1r;
                _outIm[a + 2 * m] = s0i - s1i;
                _outRe[a + 3 * m] = d0r - d1i;
                _outIm[a + 3 * m] = d0i + d1r;
            }
            else
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

                    _outRe[a + q * m] = sr;
                    _outIm[a + q * m] = si;
                }
            }
        }
    }
}
