using System.Buffers.Binary;

namespace GrainServe.Speech.Audio;

/// <summary>
/// Reads a RIFF/WAVE file in-process: its <c>fmt </c> and <c>data</c> chunks, integer PCM of 8, 16, 24 or 32 bits
/// and IEEE float of 32 or 64 bits, plain or as WAVE_FORMAT_EXTENSIBLE. The header is read first and on its own,
/// so that limits are checked before a single sample is converted.
/// </summary>
internal static class WavReader
{
    private const ushort FormatPcm = 0x0001;
    private const ushort FormatIeeeFloat = 0x0003;
    private const ushort FormatExtensible = 0xFFFE;

    // KSDATAFORMAT_SUBTYPE_* GUIDs share everything after their first two bytes, which carry the format tag.
    private static ReadOnlySpan<byte> SubFormatTail => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Where the samples are and how they are laid out, from the header alone.</summary>
    /// <param name="Channels">Interleaved channels per frame.</param>
    /// <param name="SampleRate">Frames per second.</param>
    /// <param name="BytesPerSample">Bytes of one channel's sample.</param>
    /// <param name="IsFloat">IEEE float rather than integer PCM.</param>
    /// <param name="DataOffset">The first sample's byte offset in the file.</param>
    /// <param name="Frames">Whole frames available: a trailing partial frame is dropped.</param>
    public readonly record struct Layout(int Channels, int SampleRate, int BytesPerSample, bool IsFloat, int DataOffset, long Frames)
    {
        /// <summary>The audio's length in seconds.</summary>
        public double DurationSeconds => (double)Frames / SampleRate;
    }

    /// <summary>Parses the chunks up to the samples; throws <see cref="AudioFormatException"/> naming what is wrong.</summary>
    public static Layout ReadLayout(ReadOnlySpan<byte> file)
    {
        ReadOnlySpan<byte> fmt = default;
        var haveFmt = false;
        var dataOffset = -1;
        long dataBytes = 0;
        var truncated = false;
        var position = 12;
        while (dataOffset < 0 || !haveFmt)
        {
            if (position + 8 > file.Length)
            {
                truncated = position < file.Length;
                break;
            }

            var id = file.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(position + 4, 4));
            var body = position + 8;
            if (id.SequenceEqual("data"u8))
            {
                dataOffset = body;
                // Streaming writers leave 0xFFFFFFFF, or a size they never came back to fix, in the header: read to the end.
                if (size == uint.MaxValue || body + (long)size > file.Length)
                {
                    dataBytes = file.Length - body;
                    if (haveFmt)
                    {
                        break;
                    }

                    truncated = true;
                    break;
                }

                dataBytes = size;
            }
            else if (body + (long)size > file.Length)
            {
                truncated = true;
                break;
            }
            else if (id.SequenceEqual("fmt "u8))
            {
                fmt = file.Slice(body, (int)size);
                haveFmt = true;
            }

            // Chunks are padded to an even length; the pad byte is not counted in the size.
            position = (int)Math.Min(int.MaxValue, body + (long)size + (size & 1));
        }

        if (!haveFmt)
        {
            throw new AudioFormatException(truncated
                ? "the WAV file is truncated: it ends inside its header, before the 'fmt ' chunk is complete"
                : "the WAV file has no 'fmt ' chunk describing its samples");
        }

        var (channels, sampleRate, bytesPerSample, isFloat) = ReadFormat(fmt);
        if (dataOffset < 0)
        {
            throw new AudioFormatException(truncated
                ? "the WAV file is truncated: it ends inside its header, before the 'data' chunk"
                : "the WAV file has no 'data' chunk");
        }

        var frames = dataBytes / ((long)channels * bytesPerSample);
        if (frames == 0)
        {
            throw new AudioFormatException("the WAV file contains no audio samples: its 'data' chunk is empty");
        }

        return new Layout(channels, sampleRate, bytesPerSample, isFloat, dataOffset, frames);
    }

    /// <summary>The samples at the file's own rate, its channels averaged into one.</summary>
    public static float[] ReadMono(ReadOnlySpan<byte> file, Layout layout)
    {
        var mono = new float[layout.Frames];
        var data = file.Slice(layout.DataOffset, checked((int)(layout.Frames * layout.Channels * layout.BytesPerSample)));
        var step = layout.BytesPerSample;
        var scale = 1f / layout.Channels;
        var offset = 0;
        for (var frame = 0; frame < mono.Length; frame++)
        {
            var sum = 0f;
            for (var channel = 0; channel < layout.Channels; channel++, offset += step)
            {
                sum += Sample(data.Slice(offset, step), layout.IsFloat);
            }

            mono[frame] = sum * scale;
        }

        return mono;
    }

    private static float Sample(ReadOnlySpan<byte> bytes, bool isFloat) => (bytes.Length, isFloat) switch
    {
        // Integer PCM maps full scale to [-1, 1), as ffmpeg's s16/s32 to flt conversion does; 8-bit is unsigned.
        (1, false) => (bytes[0] - 128) / 128f,
        (2, false) => BinaryPrimitives.ReadInt16LittleEndian(bytes) / 32768f,
        (3, false) => ((bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)) << 8 >> 8) / 8388608f,
        (4, false) => (float)(BinaryPrimitives.ReadInt32LittleEndian(bytes) / 2147483648.0),
        (4, true) => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes),
    };

    private static (int Channels, int SampleRate, int BytesPerSample, bool IsFloat) ReadFormat(ReadOnlySpan<byte> fmt)
    {
        if (fmt.Length < 16)
        {
            throw new AudioFormatException($"the WAV file's 'fmt ' chunk is {fmt.Length} bytes, shorter than the 16 every WAV format needs");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40)
            {
                throw new AudioFormatException("the WAV file is WAVE_FORMAT_EXTENSIBLE but its 'fmt ' chunk is too short to hold the sub-format");
            }

            // The container size (wBitsPerSample) lays the bytes out; fewer valid bits are left-justified in it, so the scale is the same.
            var subFormat = fmt.Slice(24, 16);
            tag = subFormat[2..].SequenceEqual(SubFormatTail) ? BinaryPrimitives.ReadUInt16LittleEndian(subFormat) : (ushort)0;
            if (tag == 0)
            {
                throw new AudioFormatException($"the WAV file's WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(subFormat)} is not supported; {Readable}");
            }
        }

        if (sampleRate == 0)
        {
            throw new AudioFormatException("the WAV file's sample rate is 0 Hz");
        }

        if (sampleRate > int.MaxValue)
        {
            throw new AudioFormatException($"the WAV file's sample rate of {sampleRate} Hz is not a real one");
        }

        if (channels == 0)
        {
            throw new AudioFormatException("the WAV file has 0 channels");
        }

        return (tag, bits) switch
        {
            (FormatPcm, 8 or 16 or 24 or 32) => (channels, (int)sampleRate, bits / 8, false),
            (FormatIeeeFloat, 32 or 64) => (channels, (int)sampleRate, bits / 8, true),
            (FormatPcm, _) => throw new AudioFormatException($"the WAV file's {bits}-bit integer PCM is not supported; {Readable}"),
            (FormatIeeeFloat, _) => throw new AudioFormatException($"the WAV file's {bits}-bit float samples are not supported; {Readable}"),
            _ => throw new AudioFormatException($"the WAV file's format tag 0x{tag:X4} ({TagName(tag)}) is not supported; {Readable}"),
        };
    }

    private const string Readable = "this server reads WAV of 8, 16, 24 or 32-bit integer PCM or 32 or 64-bit float; convert it, or send FLAC";

    private static string TagName(ushort tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 or 0x0055 => "MPEG audio",
        _ => "unknown",
    };
}
