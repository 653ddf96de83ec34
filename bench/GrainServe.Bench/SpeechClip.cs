using System.ComponentModel;
using System.Diagnostics;
using GrainServe.Speech.Audio;

namespace GrainServe.Bench;

/// <summary>
/// The clip the transcribe scenario sends: a WAV file of exactly <see cref="Seconds"/> of 16 kHz mono 16-bit audio,
/// English speech from espeak-ng when it is on PATH (tools/install-audio-tools.sh installs it), else a synthetic
/// speech-like signal. <see cref="Source"/> says which, for the report.
/// </summary>
internal sealed record SpeechClip(byte[] Wav, double Seconds, string Source)
{
    private const int SampleRate = 16000;

    // About 75 words: at espeak-ng's default 175 words a minute, longer than 20 s, so the clip is trimmed, not looped.
    private const string Text =
        "GrainServe runs speech to text on a cluster of Orleans silos. Each window of audio is encoded once, and its "
        + "decode joins every other running transcription on one continuous batching engine, so eight files at once "
        + "share the decoder's steps instead of waiting in line. The quarterly report is due on Friday, the weather "
        + "forecast says rain over the mountains, and the library closes at six in the evening on weekdays.";

    /// <summary>Makes the clip, <paramref name="seconds"/> long, using <paramref name="scratch"/> for espeak-ng's file.</summary>
    public static async Task<SpeechClip> MakeAsync(double seconds, string scratch)
    {
        var length = (int)Math.Round(seconds * SampleRate);
        var spoken = await SpeakAsync(scratch);
        var samples = new float[length];
        string source;
        if (spoken is { Length: > 0 })
        {
            // Looped only if espeak-ng spoke faster than expected: every request must carry the same audio seconds.
            for (var i = 0; i < length; i++)
            {
                samples[i] = spoken[i % spoken.Length];
            }

            source = spoken.Length >= length ? "espeak-ng speech" : "espeak-ng speech (looped)";
        }
        else
        {
            Synthesize(samples);
            source = "synthetic speech-like signal (espeak-ng not found)";
        }

        return new SpeechClip(Pcm16Wav(samples), (double)length / SampleRate, source);
    }

    // espeak-ng writes 22.05 kHz; the server's own WAV decoder resamples it to the 16 kHz the clip is stored at, so
    // the server later reads a file it needs no resampling for.
    private static async Task<float[]?> SpeakAsync(string scratch)
    {
        Directory.CreateDirectory(scratch);
        var path = Path.Combine(scratch, "espeak.wav");
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-w", path, Text })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                return null;
            }
        }
        catch (Win32Exception)
        {
            // Not installed.
            return null;
        }

        var audio = await new AudioDecoder().DecodeAsync(await File.ReadAllBytesAsync(path), AudioLimits.Default);
        return audio.Samples;
    }

    // Voiced syllables at four a second: a 120 Hz buzz through two formants that move per syllable, with pauses, so
    // the encoder sees a spectrogram shaped like speech rather than a steady tone.
    private static void Synthesize(float[] samples)
    {
        var random = new Random(1);
        const double Syllable = 0.25;
        for (var start = 0; start < samples.Length; start += (int)(Syllable * SampleRate))
        {
            var (f1, f2) = (300 + random.Next(500), 900 + random.Next(1500));
            var voiced = random.NextDouble() > 0.15;
            for (var i = 0; voiced && i < Syllable * SampleRate && start + i < samples.Length; i++)
            {
                var t = (start + i) / (double)SampleRate;
                var envelope = Math.Sin(Math.PI * i / (Syllable * SampleRate));
                double value = 0;
                for (var harmonic = 1; harmonic * 120 < 4000; harmonic++)
                {
                    var f = harmonic * 120.0;
                    var gain = 1 / (1 + Math.Pow((f - f1) / 150, 2)) + 0.5 / (1 + Math.Pow((f - f2) / 200, 2));
                    value += gain * Math.Sin(2 * Math.PI * f * t);
                }

                samples[start + i] = (float)(0.2 * envelope * value);
            }
        }
    }

    private static byte[] Pcm16Wav(float[] samples) =>
        ModelBuilder.Audio.Pcm16Wav.Create(SampleRate, samples.Length, i => (short)Math.Round(Math.Clamp(samples[i], -1f, 1f) * short.MaxValue));
}
