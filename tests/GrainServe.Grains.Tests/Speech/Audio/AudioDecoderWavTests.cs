using GrainServe.TestSupport;
using Xunit.Abstractions;

namespace GrainServe.Speech.Audio;

public sealed class AudioDecoderWavTests(ITestOutputHelper output)
{
    private static readonly AudioDecoder Decoder = new();

    [Theory]
    [InlineData(WavFile.Pcm, 8, null, null)]
    [InlineData(WavFile.Pcm, 16, null, null)]
    [InlineData(WavFile.Pcm, 24, null, null)]
    [InlineData(WavFile.Pcm, 32, null, null)]
    [InlineData(WavFile.IeeeFloat, 32, null, null)]
    [InlineData(WavFile.IeeeFloat, 64, null, null)]
    [InlineData(WavFile.Extensible, 16, (ushort)WavFile.Pcm, null)]
    [InlineData(WavFile.Extensible, 24, (ushort)WavFile.Pcm, null)]
    [InlineData(WavFile.Extensible, 32, (ushort)WavFile.IeeeFloat, null)]
    [InlineData(WavFile.Extensible, 24, (ushort)WavFile.Pcm, 32)]
    public async Task DecodeAsync_EachSampleFormatAt16k_ReturnsTheSamples(ushort tag, int bits, ushort? subFormat, int? containerBits)
    {
        var source = Ramp(1000);
        var isFloat = (subFormat ?? tag) == WavFile.IeeeFloat;
        var container = containerBits ?? bits;
        // 24 valid bits in a 32-bit container are left-justified: written as 32-bit samples whose low byte is zero.
        var stored = containerBits is null ? source : source.Select(s => (float)WavFile.Quantised(s, bits)).ToArray();
        var file = WavFile.Build(WavFile.Format(tag, 1, 16000, bits, subFormat, containerBits), WavFile.Encode(stored, container, isFloat));

        var audio = await Decoder.DecodeAsync(file, AudioLimits.Default);

        Assert.Equal(("wav", 16000, 1, source.Length), (audio.Format, audio.SourceSampleRate, audio.SourceChannels, audio.Samples.Length));
        Assert.Equal(source.Length / 16000.0, audio.DurationSeconds, 12);
        for (var i = 0; i < source.Length; i++)
        {
            var expected = isFloat ? source[i] : WavFile.Quantised(source[i], bits);
            Assert.True(Math.Abs(audio.Samples[i] - expected) <= 1e-7, $"sample {i}: {audio.Samples[i]} != {expected}");
        }
    }

    [Fact]
    public async Task DecodeAsync_Pcm16_MapsFullScaleToMinusOneAndJustUnderOne()
    {
        var file = WavFile.Build(WavFile.Format(WavFile.Pcm, 1, 16000, 16), [0x00, 0x80, 0xFF, 0x7F, 0x00, 0x00, 0x01, 0x00]);

        var audio = await Decoder.DecodeAsync(file, AudioLimits.Default);

        Assert.Equal([-1f, 32767 / 32768f, 0f, 1 / 32768f], audio.Samples);
    }

    [Fact]
    public async Task DecodeAsync_Stereo_AveragesTheChannels()
    {
        float[] interleaved = [0.5f, -0.5f, 0.25f, 0.75f, -1f, 0f];

        var audio = await Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.IeeeFloat, 2, 16000, 32), WavFile.Encode(interleaved, 32, true)), AudioLimits.Default);

        Assert.Equal(2, audio.SourceChannels);
        Assert.Equal([0f, 0.5f, -0.5f], audio.Samples);
    }

    [Fact]
    public async Task DecodeAsync_SixChannels_AveragesAllSix()
    {
        float[] interleaved = [0.6f, 0.6f, 0f, 0f, 0f, 0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f];

        var audio = await Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.IeeeFloat, 6, 16000, 32), WavFile.Encode(interleaved, 32, true)), AudioLimits.Default);

        Assert.Equal(6, audio.SourceChannels);
        Assert.Equal(0.2f, audio.Samples[0], 6);
        Assert.Equal(0.35f, audio.Samples[1], 6);
    }

    [Fact]
    public async Task DecodeAsync_UnknownChunksWithOddLengths_AreSkipped()
    {
        var samples = Ramp(10);
        var file = WavFile.Build(WavFile.Format(WavFile.IeeeFloat, 1, 16000, 32), WavFile.Encode(samples, 32, true), null,
            ("LIST", new byte[7]), ("fact", new byte[4]), ("junk", new byte[1]));

        var audio = await Decoder.DecodeAsync(file, AudioLimits.Default);

        Assert.Equal(samples, audio.Samples);
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(1_000_000u)]
    public async Task DecodeAsync_DataSizeUnsetOrPastTheEnd_ReadsToTheEnd(uint dataSize)
    {
        var samples = Ramp(11);
        // An odd trailing byte, half a 16-bit sample, as a writer stopped mid-write leaves.
        var data = WavFile.Encode(samples, 16, false).Append((byte)0x7F).ToArray();

        var audio = await Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.Pcm, 1, 16000, 16), data, dataSize), AudioLimits.Default);

        Assert.Equal(samples.Length, audio.Samples.Length);
    }

    [Theory]
    [InlineData(44100, 440.0)]
    [InlineData(48000, 1000.0)]
    [InlineData(22050, 3000.0)]
    [InlineData(8000, 440.0)]
    public async Task DecodeAsync_SineAtAnotherRate_IsTheSameSineAt16k(int rate, double hz)
    {
        const double Seconds = 1.0, Amplitude = 0.5;
        var source = Enumerable.Range(0, (int)(rate * Seconds)).Select(i => (float)(Amplitude * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();
        var file = WavFile.Build(WavFile.Format(WavFile.IeeeFloat, 1, rate, 32), WavFile.Encode(source, 32, true));

        var audio = await Decoder.DecodeAsync(file, AudioLimits.Default);

        Assert.Equal(16000 * Seconds, audio.Samples.Length, 1.0);
        Assert.Equal(rate, audio.SourceSampleRate);
        // Away from the edges, where the resampler's filter reaches past the clip, it is the analytic 16 kHz sine.
        var worst = 0.0;
        for (var i = 400; i < audio.Samples.Length - 400; i++)
        {
            worst = Math.Max(worst, Math.Abs(audio.Samples[i] - Amplitude * Math.Sin(2 * Math.PI * hz * i / 16000)));
        }

        output.WriteLine($"{hz} Hz from {rate} Hz: worst difference from the analytic 16 kHz sine {worst:E2}");
        Assert.True(worst < 1e-3, $"the resampled sine is off by up to {worst}");
    }

    [Fact]
    public async Task DecodeAsync_ToneAboveTheNewNyquist_IsFilteredOut()
    {
        const int Rate = 48000;
        var source = Enumerable.Range(0, Rate).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 12000 * i / Rate))).ToArray();

        var audio = await Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.IeeeFloat, 1, Rate, 32), WavFile.Encode(source, 32, true)), AudioLimits.Default);

        // 12 kHz would alias to 4 kHz at 16 kHz; the low-pass must leave (almost) nothing.
        var rms = Math.Sqrt(audio.Samples.Skip(400).SkipLast(400).Average(s => (double)s * s));
        Assert.True(rms < 0.01, $"rms {rms} left of a 12 kHz tone");
    }

    private static float[] Ramp(int count) => [.. Enumerable.Range(0, count).Select(i => (float)Math.Sin(i * 0.37) * 0.9f)];
}
