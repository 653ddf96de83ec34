using System.Diagnostics;
using GrainServe.TestSupport;
using Xunit.Abstractions;

namespace GrainServe.Speech.Audio;

public sealed class LogMelSpectrogramTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(80, 32000)]
    [InlineData(128, 8000)]
    public void Compute_ChirpAndNoise_MatchesTheReferenceImplementation(int melBins, int samples)
    {
        var audio = ChirpAndNoise(samples);
        var filters = MelFilterbank.For(melBins);

        var mel = LogMelSpectrogram.Compute(audio, filters);
        var reference = ReferenceLogMel.Compute(audio, filters);

        var frames = reference.GetLength(1);
        Assert.Equal(melBins * frames, mel.Length);
        var worst = 0.0;
        for (var m = 0; m < melBins; m++)
        {
            for (var t = 0; t < frames; t++)
            {
                worst = Math.Max(worst, Math.Abs(mel[m * frames + t] - reference[m, t]));
            }
        }

        output.WriteLine($"{melBins} bins, {samples} samples: worst difference from the reference {worst:E2}");
        Assert.True(worst <= 1e-4, $"the log-mel differs from the reference by up to {worst}");
    }

    [Theory]
    [InlineData(0, 3000)]
    [InlineData(16000, 3100)]
    [InlineData(16159, 3100)]
    [InlineData(16160, 3101)]
    [InlineData(30 * 16000, 6000)]
    [InlineData(31 * 16000, 6100)]
    public void Compute_Length_GivesSamplesPlus30sOver160Frames(int samples, int frames)
    {
        var mel = LogMelSpectrogram.Compute(ChirpAndNoise(samples), MelFilterbank.For(80));

        Assert.Equal(frames, LogMelSpectrogram.FrameCount(samples));
        Assert.Equal(frames - 3000, LogMelSpectrogram.ContentFrameCount(samples));
        Assert.Equal(80 * frames, mel.Length);
    }

    [Fact]
    public void Compute_Silence_IsTheFloorEverywhere()
    {
        // log10(1e-10) = -10 is then also the maximum, and (-10 + 4) / 4 = -1.5.
        var mel = LogMelSpectrogram.Compute(new float[16000], MelFilterbank.For(80));

        Assert.All(mel, v => Assert.Equal(-1.5f, v));
    }

    [Fact]
    public void Compute_Speechlike_SpansExactlyTheEightDecadeFloor()
    {
        var mel = LogMelSpectrogram.Compute(ChirpAndNoise(16000), MelFilterbank.For(128));

        // The padding's silent frames sit on the floor, 8 decades (2.0 after the scaling) under the maximum.
        Assert.Equal(128 * 3100, mel.Length);
        Assert.Equal(2.0f, mel.Max() - mel.Min(), 5);
    }

    [Fact]
    public void Window_FromTheStart_IsTheFirst3000Frames()
    {
        var mel = LogMelSpectrogram.Compute(ChirpAndNoise(16000), MelFilterbank.For(80));

        var window = LogMelSpectrogram.Window(mel, 80, 3100, 0);

        Assert.Equal(80 * 3000, window.Length);
        for (var m = 0; m < 80; m++)
        {
            Assert.Equal(mel.AsSpan(m * 3100, 3000).ToArray(), window.AsSpan(m * 3000, 3000).ToArray());
        }
    }

    [Fact]
    public void Window_PastTheEnd_IsPaddedWithZerosOfTheLogMel()
    {
        var mel = LogMelSpectrogram.Compute(ChirpAndNoise(16000), MelFilterbank.For(80));

        var window = LogMelSpectrogram.Window(mel, 80, 3100, 200);

        for (var m = 0; m < 80; m++)
        {
            Assert.Equal(mel.AsSpan(m * 3100 + 200, 2900).ToArray(), window.AsSpan(m * 3000, 2900).ToArray());
            Assert.All(window.AsSpan(m * 3000 + 2900, 100).ToArray(), v => Assert.Equal(0f, v));
        }

        Assert.All(LogMelSpectrogram.Window(mel, 80, 3100, 3100), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Window_OutOfRange_Throws()
    {
        var mel = new float[80 * 3100];

        Assert.Throws<ArgumentOutOfRangeException>(() => LogMelSpectrogram.Window(mel, 80, 3100, 3101));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogMelSpectrogram.Window(mel, 80, 3100, -1));
        Assert.Throws<ArgumentException>(() => LogMelSpectrogram.Window(mel, 80, 3000, 0));
    }

    [Fact]
    [Trait("Category", "Benchmark")]
    public void Compute_30Seconds_TakesWellUnder100MsOnOneCore()
    {
        var audio = ChirpAndNoise(30 * 16000);
        var filters = MelFilterbank.For(80);
        LogMelSpectrogram.Compute(audio, filters);

        double bestWall = double.MaxValue, bestCpu = double.MaxValue;
        for (var run = 0; run < 10; run++)
        {
            var cpu = ThreadCpuTime.Now();
            var watch = Stopwatch.StartNew();
            LogMelSpectrogram.Compute(audio, filters);
            bestWall = Math.Min(bestWall, watch.Elapsed.TotalMilliseconds);
            bestCpu = Math.Min(bestCpu, ((ThreadCpuTime.Now() - cpu) ?? watch.Elapsed).TotalMilliseconds);
        }

        var report = $"log-mel of 30 s (80 bins, 6000 frames), best of 10: {bestCpu:0.0} ms of thread CPU time, {bestWall:0.0} ms wall";
        output.WriteLine(report);
        Console.WriteLine(report);
        var best = bestCpu;
        Assert.True(best < 500, $"30 s took {best:0.0} ms");
    }

    private static float[] ChirpAndNoise(int count)
    {
        var random = new Random(7);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var t = i / 16000.0;
            // 100 Hz rising to about 7 kHz over 2 s, plus noise 40 dB down.
            return (float)(0.5 * Math.Sin(2 * Math.PI * (100 * t + 1700 * t * t)) + 0.005 * (random.NextDouble() - 0.5));
        })];
    }
}
