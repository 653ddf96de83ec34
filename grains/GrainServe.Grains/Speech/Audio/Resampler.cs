using NAudio.Dsp;

namespace GrainServe.Speech.Audio;

/// <summary>Brings in-process decoded audio to Whisper's 16 kHz with NAudio's port of Cockos WDL's windowed-sinc resampler.</summary>
internal static class Resampler
{
    /// <summary>Whisper's sample rate, in Hz.</summary>
    public const int TargetRate = 16000;

    // Samples produced per ResampleOut call: WDL shifts its input buffer after every call, so a block keeps that copy small.
    private const int Block = 8192;

    /// <summary><paramref name="mono"/> at 16 kHz; the same array when it already is.</summary>
    public static float[] To16k(float[] mono, int sampleRate)
    {
        if (sampleRate == TargetRate)
        {
            return mono;
        }

        var resampler = new WdlResampler();
        // Sinc mode (64 taps, 32 sub-sample phases, Blackman-Harris windowed) low-passes below the new Nyquist when
        // downsampling, and WDL pre-fills half a filter of zeros so output sample n lines up with input time n / 16000 s.
        resampler.SetMode(true, 0, true);
        resampler.SetFeedMode(false);
        resampler.SetRates(sampleRate, TargetRate);

        // As many samples as the input's duration holds at 16 kHz, the count ffmpeg's resampler gives too.
        var output = new float[(long)Math.Ceiling(mono.LongLength * (double)TargetRate / sampleRate)];
        var consumed = 0;
        var produced = 0;
        while (produced < output.Length)
        {
            var want = Math.Min(Block, output.Length - produced);
            var needed = resampler.ResamplePrepare(want, 1, out var input);
            var given = Math.Min(needed, mono.Length - consumed);
            mono.AsSpan(consumed, given).CopyTo(input);
            consumed += given;
            // Giving fewer samples than it asked for makes WDL flush: it pads with zeros and returns only valid output.
            var made = resampler.ResampleOut(output.AsSpan(produced, want), given, want, 1);
            produced += made;
            if (made == 0 && given < needed)
            {
                break;
            }
        }

        return produced == output.Length ? output : output[..produced];
    }
}
