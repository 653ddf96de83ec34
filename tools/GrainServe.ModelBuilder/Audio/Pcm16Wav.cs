namespace GrainServe.ModelBuilder.Audio;

/// <summary>
/// Writes a mono 16-bit PCM WAV file: the audio the speech tests and benchmarks send, whatever the signal in it (tone,
/// synthetic speech, silence). One writer, so every caller's header is the same 44 bytes.
/// </summary>
public static class Pcm16Wav
{
    /// <summary>A WAV of <paramref name="sampleCount"/> samples at <paramref name="sampleRate"/> Hz, sample i being <paramref name="sample"/>(i).</summary>
    public static byte[] Create(int sampleRate, int sampleCount, Func<int, short> sample)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        var dataBytes = sampleCount * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(sampleRate);
        writer.Write(sampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(dataBytes);
        for (var i = 0; i < sampleCount; i++)
        {
            writer.Write(sample(i));
        }

        writer.Flush();
        return stream.ToArray();
    }
}
