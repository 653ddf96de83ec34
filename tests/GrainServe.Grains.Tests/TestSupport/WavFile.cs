using System.Buffers.Binary;
using System.Text;

namespace GrainServe.TestSupport;

/// <summary>Writes WAV files byte by byte, so each test states exactly the header it means.</summary>
internal static class WavFile
{
    public const ushort Pcm = 1;
    public const ushort IeeeFloat = 3;
    public const ushort Extensible = 0xFFFE;

    /// <summary>Interleaved samples in [-1, 1] as a WAV of <paramref name="bits"/>-bit integer PCM.</summary>
    public static byte[] FromSamples(float[] interleaved, int sampleRate, int channels = 1, int bits = 16) =>
        Build(Format(Pcm, channels, sampleRate, bits), Encode(interleaved, bits, isFloat: false));

    /// <summary>The bytes of each sample quantised as the WAV reader expects them.</summary>
    public static byte[] Encode(float[] samples, int bits, bool isFloat)
    {
        var bytes = new byte[samples.Length * bits / 8];
        for (var i = 0; i < samples.Length; i++)
        {
            var at = bytes.AsSpan(i * bits / 8, bits / 8);
            var s = Math.Clamp(samples[i], -1f, 1f);
            switch ((bits, isFloat))
            {
                case (32, true): BinaryPrimitives.WriteSingleLittleEndian(at, samples[i]); break;
                case (64, true): BinaryPrimitives.WriteDoubleLittleEndian(at, samples[i]); break;
                case (8, false): at[0] = (byte)(Quantise(s, 128) + 128); break;
                case (16, false): BinaryPrimitives.WriteInt16LittleEndian(at, (short)Quantise(s, 32768)); break;
                case (24, false):
                    var v = (int)Quantise(s, 8388608);
                    at[0] = (byte)v;
                    at[1] = (byte)(v >> 8);
                    at[2] = (byte)(v >> 16);
                    break;
                case (32, false): BinaryPrimitives.WriteInt32LittleEndian(at, (int)Quantise(s, 2147483648.0)); break;
                default: throw new ArgumentOutOfRangeException(nameof(bits));
            }
        }

        return bytes;
    }

    /// <summary>What the reader gives back for <paramref name="sample"/> stored as <paramref name="bits"/>-bit integer PCM.</summary>
    public static double Quantised(float sample, int bits) => Quantise(Math.Clamp(sample, -1f, 1f), Math.Pow(2, bits - 1)) / Math.Pow(2, bits - 1);

    private static long Quantise(float sample, double full) => (long)Math.Clamp(Math.Round(sample * full), -full, full - 1);

    /// <summary>A 16-byte fmt body (or 40 with an extensible sub-format tag).</summary>
    public static byte[] Format(ushort tag, int channels, int sampleRate, int bits, ushort? subFormat = null, int? containerBits = null)
    {
        var container = containerBits ?? bits;
        var fmt = new byte[subFormat is null ? 16 : 40];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(sampleRate * channels * container / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)(channels * container / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)container);
        if (subFormat is { } sub)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)bits);
            BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), channels == 1 ? 0x4u : 0x3u);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), sub);
            byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            tail.CopyTo(fmt.AsSpan(26));
        }

        return fmt;
    }

    /// <summary>RIFF/WAVE with a fmt chunk, any <paramref name="before"/> chunks, then the data chunk (its size overridable).</summary>
    public static byte[] Build(byte[] fmt, byte[] data, uint? dataSize = null, params (string Id, byte[] Body)[] before)
    {
        using var file = new MemoryStream();
        file.Write("RIFF"u8);
        file.Write(new byte[4]);
        file.Write("WAVE"u8);
        Chunk(file, "fmt ", fmt, null);
        foreach (var (id, body) in before)
        {
            Chunk(file, id, body, null);
        }

        Chunk(file, "data", data, dataSize);
        var bytes = file.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static void Chunk(Stream file, string id, byte[] body, uint? size)
    {
        file.Write(Encoding.ASCII.GetBytes(id));
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, size ?? (uint)body.Length);
        file.Write(length);
        file.Write(body);
        if (body.Length % 2 == 1 && id != "data")
        {
            file.WriteByte(0);
        }
    }
}
