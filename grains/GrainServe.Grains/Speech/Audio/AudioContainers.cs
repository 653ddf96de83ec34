using System.Text;

namespace GrainServe.Speech.Audio;

/// <summary>Names an upload's container from its first bytes, never from a file name or content type a client sent.</summary>
internal static class AudioContainers
{
    /// <summary>The container read in-process; every other one goes to ffmpeg.</summary>
    public const string Wav = "wav";

    /// <summary>What a caller is told this server reads.</summary>
    public const string Supported = "WAV, FLAC, MP3, Ogg (Vorbis or Opus), AAC, M4A/MP4, WebM/Matroska, AIFF or AMR";

    /// <summary>The container's short name (as <see cref="DecodedAudio.Format"/> gives it), or null when the bytes are no audio file known here.</summary>
    public static string? Detect(ReadOnlySpan<byte> file)
    {
        if (file.Length >= 12 && Is(file, 0, "RIFF") && Is(file, 8, "WAVE"))
        {
            return Wav;
        }

        // RF64 and BW64 are WAV with 64-bit sizes, which the in-process reader does not parse.
        if (file.Length >= 12 && (Is(file, 0, "RF64") || Is(file, 0, "BW64")) && Is(file, 8, "WAVE"))
        {
            return "rf64";
        }

        if (Is(file, 0, "fLaC"))
        {
            return "flac";
        }

        if (Is(file, 0, "OggS"))
        {
            // The first page carries the first stream's identification header at byte 28.
            return file.Length >= 36 && Is(file, 28, "OpusHead") ? "opus" : "ogg";
        }

        if (Is(file, 0, "ID3"))
        {
            return "mp3";
        }

        if (file.Length >= 2 && file[0] == 0xFF && (file[1] & 0xE0) == 0xE0)
        {
            // A frame sync; the two layer bits are 00 in an ADTS (AAC) header and never in an MPEG audio one.
            return (file[1] & 0x06) == 0 ? "aac" : "mp3";
        }

        if (file.Length >= 12 && Is(file, 4, "ftyp"))
        {
            return "m4a";
        }

        if (file.Length >= 4 && file[0] == 0x1A && file[1] == 0x45 && file[2] == 0xDF && file[3] == 0xA3)
        {
            return "webm";
        }

        if (file.Length >= 12 && Is(file, 0, "FORM") && (Is(file, 8, "AIFF") || Is(file, 8, "AIFC")))
        {
            return "aiff";
        }

        return Is(file, 0, "#!AMR") ? "amr" : null;
    }

    /// <summary>The first bytes in hex, for a message about a file that is not audio.</summary>
    public static string Leading(ReadOnlySpan<byte> file) => Convert.ToHexString(file[..Math.Min(8, file.Length)]);

    private static bool Is(ReadOnlySpan<byte> file, int offset, string ascii)
    {
        if (file.Length < offset + ascii.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[ascii.Length];
        Encoding.ASCII.GetBytes(ascii, expected);
        return file.Slice(offset, ascii.Length).SequenceEqual(expected);
    }
}
