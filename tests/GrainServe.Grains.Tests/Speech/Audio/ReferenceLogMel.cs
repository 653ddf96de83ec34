namespace GrainServe.Speech.Audio;

/// <summary>
/// whisper/audio.py's log_mel_spectrogram written out the slow, obvious way in double precision, independent of the
/// production code: np.pad-style reflect padding, a naive DFT per frame, torch.stft's frame count, then the last
/// frame dropped. Only the filterbank's weights are shared.
/// </summary>
internal static class ReferenceLogMel
{
    public static double[,] Compute(float[] audio, MelFilterbank filters)
    {
        const int NFft = 400, Hop = 160, Bins = NFft / 2 + 1;
        var x = audio.Select(s => (double)s).Concat(new double[480000]).ToArray();
        var padded = new double[x.Length + NFft];
        for (var i = 0; i < padded.Length; i++)
        {
            var j = i - NFft / 2;
            padded[i] = j < 0 ? x[-j] : j >= x.Length ? x[2 * (x.Length - 1) - j] : x[j];
        }

        var stftFrames = 1 + (padded.Length - NFft) / Hop;
        var frames = stftFrames - 1;
        var cos = new double[Bins, NFft];
        var sin = new double[Bins, NFft];
        for (var k = 0; k < Bins; k++)
        {
            for (var n = 0; n < NFft; n++)
            {
                cos[k, n] = Math.Cos(2 * Math.PI * k * n / NFft);
                sin[k, n] = Math.Sin(2 * Math.PI * k * n / NFft);
            }
        }

        var log = new double[filters.MelBins, frames];
        var frame = new double[NFft];
        var power = new double[Bins];
        for (var t = 0; t < frames; t++)
        {
            for (var n = 0; n < NFft; n++)
            {
                frame[n] = padded[t * Hop + n] * (0.5 - 0.5 * Math.Cos(2 * Math.PI * n / NFft));
            }

            var silent = frame.All(v => v == 0);
            for (var k = 0; k < Bins; k++)
            {
                double re = 0, im = 0;
                for (var n = 0; !silent && n < NFft; n++)
                {
                    re += frame[n] * cos[k, n];
                    im -= frame[n] * sin[k, n];
                }

                power[k] = re * re + im * im;
            }

            for (var m = 0; m < filters.MelBins; m++)
            {
                var sum = 0.0;
                for (var k = 0; k < Bins; k++)
                {
                    sum += filters[m, k] * power[k];
                }

                log[m, t] = Math.Log10(Math.Max(sum, 1e-10));
            }
        }

        var max = log.Cast<double>().Max();
        for (var m = 0; m < filters.MelBins; m++)
        {
            for (var t = 0; t < frames; t++)
            {
                log[m, t] = (Math.Max(log[m, t], max - 8.0) + 4.0) / 4.0;
            }
        }

        return log;
    }
}
