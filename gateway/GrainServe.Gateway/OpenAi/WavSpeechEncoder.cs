using System.Buffers.Binary;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Streamed WAV: 16-bit mono PCM at the voice's rate behind a 44-byte header whose RIFF and data sizes are
/// 0xFFFFFFFF, as OpenAI's and ffmpeg's streamed WAV write them (the sizes are not known when the header leaves);
/// ffmpeg, sox and browsers read such a file to its end.
/// </summary>
internal sealed class WavSpeechEncoder(int sampleRate, Func<ReadOnlyMemory<byte>, ValueTask> sink) : SpeechEncoder
{
    /// <summary>The size fields' value for a stream of unknown length.</summary>
    public const uint UnknownSize = 0xFFFFFFFF;

    private bool _headerSent;

    public override async ValueTask WriteAsync(float[] samples)
    {
        await SendHeaderAsync();
        await sink(Pcm16(samples));
    }

    public override ValueTask CompleteAsync() => SendHeaderAsync();

    /// <summary>The header of a 16-bit mono stream at <paramref name="sampleRate"/> of unknown length.</summary>
    public static byte[] Header(int sampleRate)
    {
        var header = new byte[44];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], UnknownSize);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)sampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], UnknownSize);
        return header;
    }

    private async ValueTask SendHeaderAsync()
    {
        if (!_headerSent)
        {
            _headerSent = true;
            await sink(Header(sampleRate));
        }
    }
}
