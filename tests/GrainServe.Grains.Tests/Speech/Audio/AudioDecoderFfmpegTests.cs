using GrainServe.TestSupport;
using Xunit.Abstractions;

namespace GrainServe.Speech.Audio;

/// <summary>The containers decoded by ffmpeg, with files made by ffmpeg and espeak-ng in a temporary folder.</summary>
public sealed class AudioDecoderFfmpegTests(ITestOutputHelper output) : IDisposable
{
    private static readonly AudioDecoder Decoder = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("grainserve-audio-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task DecodeAsync_FlacOfA16kWav_GivesTheWavsSamples()
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_FlacOfA16kWav_GivesTheWavsSamples)))
        {
            return;
        }

        var wav = WavFile.FromSamples(Noise(16000 * 2, seed: 3), 16000);
        var flac = Convert(wav, "flac");

        var fromWav = await Decoder.DecodeAsync(wav, AudioLimits.Default);
        var fromFlac = await Decoder.DecodeAsync(flac, AudioLimits.Default);

        Assert.Equal(("flac", 16000, 1), (fromFlac.Format, fromFlac.SourceSampleRate, fromFlac.SourceChannels));
        Assert.Equal(fromWav.Samples.Length, fromFlac.Samples.Length);
        // FLAC is lossless and both map 16-bit full scale to [-1, 1): the same samples, at worst one step apart.
        var worst = fromWav.Samples.Zip(fromFlac.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1 / 32768f, $"WAV and FLAC differ by up to {worst}");
    }

    [Fact]
    public async Task DecodeAsync_StereoFlacAt44k_ReportsTheSourceAndDownmixes()
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_StereoFlacAt44k_ReportsTheSourceAndDownmixes)))
        {
            return;
        }

        var tone = Enumerable.Range(0, 44100).SelectMany(i => new[] { (float)(0.4 * Math.Sin(2 * Math.PI * 440 * i / 44100)), 0f }).ToArray();
        var flac = Convert(WavFile.FromSamples(tone, 44100, channels: 2), "flac");

        var audio = await Decoder.DecodeAsync(flac, AudioLimits.Default);

        Assert.Equal((44100, 2), (audio.SourceSampleRate, audio.SourceChannels));
        Assert.Equal(16000, audio.Samples.Length, 2.0);
        Assert.Equal(1.0, audio.DurationSeconds, 2);
        // The right channel is silent, so the mono mix is the left at half amplitude.
        var peak = audio.Samples.Skip(1000).SkipLast(1000).Max(Math.Abs);
        Assert.Equal(0.2, peak, 2);
    }

    [Theory]
    [InlineData("mp3", "mp3")]
    [InlineData("ogg", "ogg")]
    [InlineData("opus", "opus")]
    [InlineData("m4a", "m4a")]
    [InlineData("webm", "webm")]
    public async Task DecodeAsync_LossyContainers_AreDetectedAndDecoded(string extension, string format)
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_LossyContainers_AreDetectedAndDecoded)))
        {
            return;
        }

        var tone = Enumerable.Range(0, 48000).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 48000))).ToArray();
        var encoded = Convert(WavFile.FromSamples(tone, 48000), extension);

        var audio = await Decoder.DecodeAsync(encoded, AudioLimits.Default);

        Assert.Equal(format, audio.Format);
        Assert.Equal(1.0, audio.DurationSeconds, 0.1);
        var rms = Math.Sqrt(audio.Samples.Skip(2000).Take(8000).Average(s => (double)s * s));
        Assert.Equal(0.3 / Math.Sqrt(2), rms, 0.03);
    }

    [Fact]
    public async Task DecodeAsync_EspeakSpeech_Decodes()
    {
        if (!AudioTools.Available("espeak-ng", nameof(DecodeAsync_EspeakSpeech_Decodes)))
        {
            return;
        }

        var path = Path.Combine(_folder, "hello.wav");
        AudioTools.Run("espeak-ng", "-w", path, "hello world");

        var audio = await Decoder.DecodeAsync(await File.ReadAllBytesAsync(path), AudioLimits.Default);

        Assert.Equal(("wav", 22050, 1), (audio.Format, audio.SourceSampleRate, audio.SourceChannels));
        Assert.InRange(audio.DurationSeconds, 0.5, 3);
        Assert.Equal(audio.DurationSeconds * 16000, audio.Samples.Length, 1.0);
        Assert.True(audio.Samples.Max(Math.Abs) > 0.05, "espeak's speech decoded to near silence");
    }

    [Fact]
    public async Task DecodeAsync_EspeakWav_InProcessResamplingMatchesFfmpegs()
    {
        if (!AudioTools.Available("espeak-ng", nameof(DecodeAsync_EspeakWav_InProcessResamplingMatchesFfmpegs))
            || !AudioTools.Available("ffmpeg", nameof(DecodeAsync_EspeakWav_InProcessResamplingMatchesFfmpegs)))
        {
            return;
        }

        var path = Path.Combine(_folder, "speech.wav");
        AudioTools.Run("espeak-ng", "-w", path, "the quick brown fox jumps over the lazy dog");
        var wav = await File.ReadAllBytesAsync(path);

        // Whisper decodes every file with ffmpeg; FLAC at the source rate sends the same samples down that path.
        var inProcess = await Decoder.DecodeAsync(wav, AudioLimits.Default);
        var ffmpeg = await Decoder.DecodeAsync(Convert(wav, "flac"), AudioLimits.Default);

        Assert.Equal(ffmpeg.Samples.Length, inProcess.Samples.Length, 1.0);
        var count = Math.Min(ffmpeg.Samples.Length, inProcess.Samples.Length) - 200;
        var a = inProcess.Samples.AsSpan(100, count).ToArray();
        var b = ffmpeg.Samples.AsSpan(100, count).ToArray();
        var signal = Math.Sqrt(b.Average(v => (double)v * v));
        var difference = Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average());
        output.WriteLine($"WDL vs ffmpeg resampling of espeak speech: rms difference {difference:E2}, {difference / signal:P2} of the signal's rms");
        // The two sinc filters differ only near 8 kHz, where speech has little energy.
        Assert.True(difference < 0.01 * signal, $"rms difference {difference} against a signal of rms {signal}");
    }

    [Fact]
    public async Task DecodeAsync_FlacOverMaxDuration_IsStoppedAndRefused()
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_FlacOverMaxDuration_IsStoppedAndRefused)))
        {
            return;
        }

        var flac = Convert(WavFile.FromSamples(Noise(16000 * 5, seed: 1), 16000), "flac");

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(flac, AudioLimits.Default with { MaxDurationSeconds = 2 }));

        Assert.Equal("the audio is longer than this server's limit of 2 s", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_DamagedFlac_GivesFfmpegsReason()
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_DamagedFlac_GivesFfmpegsReason)))
        {
            return;
        }

        byte[] damaged = [.. "fLaC"u8, .. Enumerable.Repeat((byte)0x5A, 200)];

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(damaged, AudioLimits.Default));

        Assert.StartsWith("the flac file could not be decoded: ", error.Message);
        Assert.DoesNotContain("[error]", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_WithoutFfmpeg_SaysWhatIsMissing()
    {
        var decoder = new AudioDecoder("/nonexistent/bin/ffmpeg");

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => decoder.DecodeAsync("fLaC\0\0\0\"\0\0\0\0"u8.ToArray(), AudioLimits.Default));

        Assert.StartsWith("decoding flac audio needs ffmpeg, which is not installed on this server", error.Message);
        Assert.EndsWith("send WAV or install ffmpeg", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_WithoutFfmpeg_StillDecodesWav()
    {
        var decoder = new AudioDecoder("/nonexistent/bin/ffmpeg");

        var audio = await decoder.DecodeAsync(WavFile.FromSamples([0.5f, -0.5f], 16000), AudioLimits.Default);

        Assert.Equal([0.5f, -0.5f], audio.Samples);
    }

    [Fact]
    public async Task DecodeAsync_Cancelled_KillsFfmpegAndThrowsCancelled()
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_Cancelled_KillsFfmpegAndThrowsCancelled)))
        {
            return;
        }

        var flac = Convert(WavFile.FromSamples(Noise(16000 * 60, seed: 2), 16000), "flac");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Decoder.DecodeAsync(flac, AudioLimits.Default, cancel.Token));
    }

    [Fact]
    public async Task DecodeAsync_PastDecodeTimeout_KillsFfmpegAndRefuses()
    {
        if (!AudioTools.Available("ffmpeg", nameof(DecodeAsync_PastDecodeTimeout_KillsFfmpegAndRefuses)))
        {
            return;
        }

        var flac = Convert(WavFile.FromSamples(Noise(16000 * 10, seed: 4), 16000), "flac");

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(flac, AudioLimits.Default with { DecodeTimeout = TimeSpan.FromMilliseconds(1) }));

        Assert.Equal("decoding the flac audio took longer than this server's limit of 0.001 s", error.Message);
    }

    [Fact]
    public void SourceStream_ReadsRateAndLayoutFromFfmpegsDescription()
    {
        Assert.Equal((44100, 6), FfmpegDecoder.SourceStream("[info]   Stream #0:0: Audio: aac (LC), 44100 Hz, 5.1, fltp, 384 kb/s\n"));
        Assert.Equal((48000, 1), FfmpegDecoder.SourceStream("[info]   Stream #0:0(eng): Audio: opus, 48000 Hz, mono, fltp\n"));
        Assert.Equal((8000, 3), FfmpegDecoder.SourceStream("[info]   Stream #0:1: Audio: pcm_s16le, 8000 Hz, 3 channels, s16\n"));
        Assert.Equal((0, 0), FfmpegDecoder.SourceStream("[error] pipe:0: Invalid data found when processing input\n"));
    }

    private byte[] Convert(byte[] wav, string extension)
    {
        var input = Path.Combine(_folder, $"{Guid.NewGuid():N}.wav");
        var output = Path.ChangeExtension(input, extension);
        File.WriteAllBytes(input, wav);
        AudioTools.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", input, output);
        return File.ReadAllBytes(output);
    }

    private static float[] Noise(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5))];
    }
}
