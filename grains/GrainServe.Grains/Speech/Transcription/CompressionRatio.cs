using System.IO.Compression;
using System.Text;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// Whisper's repetition measure (<c>whisper/utils.py</c> <c>compression_ratio</c>): a text's UTF-8 bytes over the
/// bytes <c>zlib.compress</c> makes of them. Ordinary speech is below about 2; a decoder stuck repeating a phrase
/// goes far above the 2.4 fallback threshold.
/// </summary>
public static class CompressionRatio
{
    // .NET ships zlib-ng, whose level 6 (CompressionLevel.Optimal) is its own "medium" deflate and comes out a few
    // bytes off Python's zlib level 6; zlib-ng's level 9 is the lazy-matching deflate zlib runs at 6, and matched
    // Python's lengths on every text tried (see CompressionRatioTests), so ratios agree to the bit.
    private static readonly ZLibCompressionOptions PythonDefaultLevel = new() { CompressionLevel = 9 };

    /// <summary>The ratio for <paramref name="text"/>; 0 for the empty string, as Python's 0 bytes over 8.</summary>
    public static double Of(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            // ZLibStream writes no stream at all for no input; zlib writes an 8-byte one, and 0 / 8 is 0.
            return 0;
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, PythonDefaultLevel, leaveOpen: true))
        {
            zlib.Write(bytes);
        }

        return (double)bytes.Length / compressed.Length;
    }
}
