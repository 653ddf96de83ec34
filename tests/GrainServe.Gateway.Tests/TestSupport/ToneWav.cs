namespace GrainServe.TestSupport;

/// <summary>A 16 kHz mono 16-bit PCM WAV file of a sine tone, for the speech routes' tests.</summary>
public static class ToneWav
{
    public static byte[] Create(double seconds, double hz)
    {
        const int Rate = 16000;
        var samples = (int)(seconds * Rate);
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + (samples * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(Rate);
        writer.Write(Rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            writer.Write((short)(8000 * Math.Sin(2 * Math.PI * hz * i / Rate)));
        }

        writer.Flush();
        return stream.ToArray();
    }
}
