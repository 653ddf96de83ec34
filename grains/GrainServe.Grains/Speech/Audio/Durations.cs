using System.Globalization;

namespace GrainServe.Speech.Audio;

/// <summary>Formats audio lengths for callers' messages.</summary>
internal static class Durations
{
    /// <summary><paramref name="seconds"/> as h:mm:ss, or s.s for under a minute.</summary>
    public static string Format(double seconds)
    {
        if (seconds < 60)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s");
        }

        var whole = (long)Math.Round(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{whole / 3600}:{whole / 60 % 60:00}:{whole % 60:00}");
    }
}
