using System.Text;

namespace GrainServe.Speech.Audio;

public sealed class AudioContainersTests
{
    [Theory]
    [InlineData("RIFF\0\0\0\0WAVEfmt ", "wav")]
    [InlineData("RF64\xFF\xFF\xFF\xFFWAVEds64", "rf64")]
    [InlineData("fLaC\0\0\0\"", "flac")]
    [InlineData("ID3\x04\0\0\0\0", "mp3")]
    [InlineData("\xFF\xFB\x90\x64", "mp3")]
    [InlineData("\xFF\xF1\x50\x80", "aac")]
    [InlineData("\0\0\0\x20" + "ftypM4A ", "m4a")]
    [InlineData("\x1A\x45\xDF\xA3\x9F\x42\x86\x81", "webm")]
    [InlineData("FORM\0\0\0\0AIFF", "aiff")]
    [InlineData("#!AMR\n", "amr")]
    public void Detect_MagicBytes_NameTheContainer(string leading, string format)
    {
        Assert.Equal(format, AudioContainers.Detect(Encoding.Latin1.GetBytes(leading)));
    }

    [Fact]
    public void Detect_OggPages_TellOpusFromVorbis()
    {
        var page = new byte[64];
        "OggS"u8.CopyTo(page);
        "OpusHead"u8.CopyTo(page.AsSpan(28));
        Assert.Equal("opus", AudioContainers.Detect(page));

        "\x01vorbis"u8.CopyTo(page.AsSpan(28));
        Assert.Equal("ogg", AudioContainers.Detect(page));
    }

    [Theory]
    [InlineData("{\"text\": 1}")]
    [InlineData("\x89PNG\r\n\x1A\n")]
    [InlineData("RIFF\0\0\0\0AVI LIST")]
    [InlineData("R")]
    public void Detect_OtherBytes_AreNotAudio(string leading)
    {
        Assert.Null(AudioContainers.Detect(Encoding.Latin1.GetBytes(leading)));
    }
}
