using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Audio;

public sealed class AudioDecoderErrorTests
{
    private static readonly AudioDecoder Decoder = new();

    private static byte[] Valid => WavFile.FromSamples([0.1f, 0.2f, 0.3f, 0.4f], 16000);

    [Fact]
    public async Task DecodeAsync_EmptyFile_SaysItIsEmpty()
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(Array.Empty<byte>(), AudioLimits.Default));

        Assert.Equal("the audio file is empty", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_NotAudio_SaysSoAndListsWhatIsRead()
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(Encoding.UTF8.GetBytes("<!DOCTYPE html><html>"), AudioLimits.Default));

        Assert.Contains("not audio this server can read", error.Message);
        Assert.Contains("3C21444F43545950", error.Message);
        Assert.Contains("WAV, FLAC, MP3", error.Message);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(20)]
    [InlineData(30)]
    public async Task DecodeAsync_HeaderCutInsideFmt_SaysTruncated(int length)
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(Valid[..length], AudioLimits.Default));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("'fmt '", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_HeaderCutBeforeData_SaysTruncated()
    {
        // RIFF header, fmt chunk (8 + 16), then 4 bytes of the data chunk's header.
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(Valid[..40], AudioLimits.Default));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("'data'", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_NoDataChunk_SaysSo()
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(Valid[..36], AudioLimits.Default));

        Assert.Equal("the WAV file has no 'data' chunk", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_EmptyDataChunk_SaysThereAreNoSamples()
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.Pcm, 1, 16000, 16), []), AudioLimits.Default));

        Assert.Contains("no audio samples", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_SampleRateZero_SaysSo()
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.Pcm, 1, 0, 16), new byte[8]), AudioLimits.Default));

        Assert.Equal("the WAV file's sample rate is 0 Hz", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_ZeroChannels_SaysSo()
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(WavFile.Build(WavFile.Format(WavFile.Pcm, 0, 16000, 16), new byte[8]), AudioLimits.Default));

        Assert.Equal("the WAV file has 0 channels", error.Message);
    }

    [Theory]
    [InlineData(WavFile.Pcm, 12, "12-bit integer PCM")]
    [InlineData(WavFile.Pcm, 20, "20-bit integer PCM")]
    [InlineData(WavFile.IeeeFloat, 16, "16-bit float")]
    [InlineData((ushort)0x0002, 4, "0x0002 (Microsoft ADPCM)")]
    [InlineData((ushort)0x0007, 8, "0x0007 (mu-law)")]
    public async Task DecodeAsync_UnsupportedSampleFormat_NamesIt(ushort tag, int bits, string named)
    {
        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(WavFile.Build(WavFile.Format(tag, 1, 16000, bits), new byte[64]), AudioLimits.Default));

        Assert.Contains(named, error.Message);
        Assert.Contains("not supported", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_ExtensibleWithAnUnknownSubFormat_NamesIt()
    {
        var fmt = WavFile.Format(WavFile.Extensible, 1, 16000, 16, subFormat: WavFile.Pcm);
        fmt[30] ^= 0xFF;

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(WavFile.Build(fmt, new byte[8]), AudioLimits.Default));

        Assert.Contains("sub-format", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_OverMaxBytes_SaysBothSizes()
    {
        var file = WavFile.FromSamples(new float[8000], 16000);

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(file, AudioLimits.Default with { MaxBytes = 10_000 }));

        Assert.Equal("the audio file is 0.02 MiB, over this server's limit of 0.01 MiB", error.Message);
    }

    [Fact]
    public void DefaultLimits_AreOpenAisUploadSizeAndAnHour()
    {
        Assert.Equal(25 * 1024 * 1024, AudioLimits.Default.MaxBytes);
        Assert.Equal(3600, AudioLimits.Default.MaxDurationSeconds);
    }

    [Fact]
    public async Task DecodeAsync_ThreeHourWav_RefusedFromTheHeaderBeforeDecoding()
    {
        // Three real hours at 100 Hz, 8-bit: a 1 MB file whose header alone says it is too long.
        var data = new byte[3 * 3600 * 100];
        var file = WavFile.Build(WavFile.Format(WavFile.Pcm, 1, 100, 8), data);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(file, AudioLimits.Default));

        Assert.Equal("the audio is 3:00:00 long, over this server's limit of 1:00:00", error.Message);
        Assert.True(watch.ElapsedMilliseconds < 500, $"refusing took {watch.ElapsedMilliseconds} ms: it decoded first");
    }

    [Fact]
    public async Task DecodeAsync_StreamingWavOverMaxDuration_IsRefused()
    {
        var file = WavFile.Build(WavFile.Format(WavFile.Pcm, 1, 16000, 16), new byte[2 * 16000 * 3], uint.MaxValue);

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(file, AudioLimits.Default with { MaxDurationSeconds = 2 }));

        Assert.Equal("the audio is 3 s long, over this server's limit of 2 s", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_FmtChunkShorterThan16_SaysSo()
    {
        var file = Valid;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), 14);

        var error = await Assert.ThrowsAsync<AudioFormatException>(() => Decoder.DecodeAsync(file, AudioLimits.Default));

        Assert.Contains("'fmt ' chunk is 14 bytes", error.Message);
    }
}
