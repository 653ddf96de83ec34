using GrainServe.ModelBuilder.Audio;

namespace GrainServe.TestSupport;

/// <summary>A 16 kHz mono 16-bit PCM WAV file of a sine tone, for the speech routes' tests.</summary>
public static class ToneWav
{
    public static byte[] Create(double seconds, double hz)
    {
        const int Rate = 16000;
        return Pcm16Wav.Create(Rate, (int)(seconds * Rate), i => (short)(8000 * Math.Sin(2 * Math.PI * hz * i / Rate)));
    }
}
