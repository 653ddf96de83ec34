namespace GrainServe.Speech.Audio;

/// <summary>
/// Whisper's log-mel front end, step for step as openai/whisper's <c>log_mel_spectrogram(audio, n_mels,
/// padding=N_SAMPLES)</c> in <c>whisper/audio.py</c>, the call <c>transcribe.py</c> makes: 30 s of zeros appended;
/// <c>torch.stft(n_fft=400, hop_length=160, window=hann_window(400), center=True)</c>, which reflect-pads 200 samples
/// at each end; the last frame dropped; power |X|²; the mel filterbank; <c>log10(max(x, 1e-10))</c>; a floor 8.0 under
/// the global maximum; then <c>(x + 4) / 4</c>.
/// </summary>
public static class LogMelSpectrogram
{
    /// <summary>Samples per second of the input.</summary>
    public const int SampleRate = 16000;

    /// <summary>Samples between frames: 10 ms.</summary>
    public const int HopLength = 160;

    /// <summary>Samples one frame's FFT covers: 25 ms.</summary>
    public const int FftSize = MelFilterbank.FftSize;

    /// <summary>Samples in one 30 s window, Whisper's <c>N_SAMPLES</c>; that many zeros are appended before the STFT.</summary>
    public const int WindowSamples = 30 * SampleRate;

    /// <summary>Frames in one 30 s window, Whisper's <c>N_FRAMES</c>: what <see cref="Window"/> returns and the encoder reads.</summary>
    public const int WindowFrames = WindowSamples / HopLength;

    // torch.clamp(mel_spec, min=1e-10): a band with no energy is log10 = -10 before the floor.
    private const double Clamp = 1e-10;

    /// <summary>
    /// Frames <see cref="Compute"/> returns for <paramref name="sampleCount"/> samples: (samples + 480000) / 160,
    /// rounded down. The STFT of the padded signal has one more, the frame Whisper drops.
    /// </summary>
    public static int FrameCount(int sampleCount) => (sampleCount + WindowSamples) / HopLength;

    /// <summary>
    /// The frames that hold audio rather than the appended padding: samples / 160, rounded down, which is
    /// <c>transcribe.py</c>'s <c>content_frames = mel.shape[-1] - N_FRAMES</c>; windows are taken from offsets below it.
    /// </summary>
    public static int ContentFrameCount(int sampleCount) => FrameCount(sampleCount) - WindowFrames;

    /// <summary>
    /// The normalised log-mel spectrogram of <paramref name="samples16k"/> (16 kHz mono), row-major
    /// [<see cref="MelFilterbank.MelBins"/>, <see cref="FrameCount"/>(samples)]: band m's frame t is at m · frames + t.
    /// Values lie in [max − 2, max] for the spectrogram's own max, which for speech is about 1 to 1.5.
    /// </summary>
    public static float[] Compute(ReadOnlySpan<float> samples16k, MelFilterbank filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var n = samples16k.Length;
        var frames = FrameCount(n);
        var bands = filters.MelBins;
        var output = new float[(long)bands * frames];
        var fft = new RealFft(FftSize);
        Span<double> frame = stackalloc double[FftSize];
        Span<double> power = stackalloc double[MelFilterbank.FrequencyBins];
        var mel = new double[bands];
        var window = HannWindow;
        var silent = (float)Math.Log10(Clamp);
        var max = double.NegativeInfinity;
        for (var t = 0; t < frames; t++)
        {
            // Frame t covers samples 160t - 200 … 160t + 199 of the zero-padded audio; past the audio it is all
            // zeros, whose spectrum is exactly zero, so the FFT is skipped (half the frames of a 30 s clip).
            var start = t * HopLength - FftSize / 2;
            if (start >= n)
            {
                for (var m = 0; m < bands; m++)
                {
                    output[(long)m * frames + t] = silent;
                }

                max = Math.Max(max, silent);
                continue;
            }

            for (var j = 0; j < FftSize; j++)
            {
                // center=True reflects about sample 0 (without repeating it); the right end reflects the padding's zeros.
                var i = Math.Abs(start + j);
                frame[j] = i < n ? samples16k[i] * window[j] : 0;
            }

            fft.Power(frame, power);
            filters.Apply(power, mel);
            for (var m = 0; m < bands; m++)
            {
                var log = Math.Log10(Math.Max(mel[m], Clamp));
                max = Math.Max(max, log);
                output[(long)m * frames + t] = (float)log;
            }
        }

        var floor = (float)(max - 8.0);
        for (long i = 0; i < output.LongLength; i++)
        {
            output[i] = (Math.Max(output[i], floor) + 4f) / 4f;
        }

        return output;
    }

    /// <summary>
    /// The [<paramref name="melBins"/>, 3000] window of <paramref name="mel"/> ([melBins, <paramref name="frames"/>],
    /// row-major) starting at frame <paramref name="startFrame"/>: <c>pad_or_trim(mel[:, start:start + 3000], 3000)</c>,
    /// so frames past the end are 0.0, zeros of the normalised spectrogram, not of the audio.
    /// </summary>
    public static float[] Window(float[] mel, int melBins, int frames, int startFrame)
    {
        ArgumentNullException.ThrowIfNull(mel);
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        if ((long)melBins * frames != mel.LongLength)
        {
            throw new ArgumentException($"a [{melBins}, {frames}] spectrogram has {(long)melBins * frames} values, not {mel.LongLength}", nameof(mel));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(startFrame);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startFrame, frames);
        var window = new float[melBins * WindowFrames];
        var count = Math.Min(WindowFrames, frames - startFrame);
        for (var m = 0; m < melBins; m++)
        {
            mel.AsSpan((int)((long)m * frames + startFrame), count).CopyTo(window.AsSpan(m * WindowFrames, count));
        }

        return window;
    }

    // torch.hann_window(400), periodic: 0.5 − 0.5·cos(2πn/400).
    private static readonly double[] HannWindow = [.. Enumerable.Range(0, FftSize).Select(n => 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / FftSize))];
}
