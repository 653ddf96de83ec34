using System.Text;

namespace GrainServe.Gateway.Fuzz;

/// <summary>The replacements multipart mutations draw from.</summary>
internal static class FormValues
{
    public static readonly byte[][] Fields =
    [
        [], [0xFF, 0xFE], [0xED, 0xA0, 0x80], "\\udcff"u8.ToArray(), "en\0"u8.ToArray(), "1e400"u8.ToArray(), "-1"u8.ToArray(), "NaN"u8.ToArray(),
        "99999999999999999999"u8.ToArray(), "hot"u8.ToArray(), "verbose_json"u8.ToArray(), "srt"u8.ToArray(), "word"u8.ToArray(), "true"u8.ToArray(),
        "zz"u8.ToArray(), "no_such_model"u8.ToArray(), "simple"u8.ToArray(), "tiny_llama"u8.ToArray(), Encoding.UTF8.GetBytes(new string('p', 20_000)),
    ];

    public static readonly string[] Names = ["model", "file", "language", "prompt", "temperature", "response_format", "timestamp_granularities[]", "stream", "\udcff", "x"];

    /// <summary>Little-endian numbers for a WAV header's fields.</summary>
    public static readonly uint[] HeaderNumbers = [0, 1, 2, 3, 7, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 8000, 44, 48000 * 8];

    /// <summary>Byte offsets of a canonical WAV header's fields: RIFF size, format tag, channels, rate, byte rate, block align, bits, data size.</summary>
    public static readonly (int Offset, int Width)[] HeaderFields = [(4, 4), (20, 2), (22, 2), (24, 4), (28, 4), (32, 2), (34, 2), (40, 4), (16, 4)];

    public static byte[][] Files(byte[] wav) =>
    [
        [], "not audio at all"u8.ToArray(), wav[..44], wav[..30], wav[..12], [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8],
        [0x1A, 0x45, 0xDF, 0xA3, 0x01, 0x02], [.. "ID3"u8, 3, 0, 0, 0, 0, 0, 0], [.. "fLaC"u8, 0, 0, 0, 0x22],
    ];
}
