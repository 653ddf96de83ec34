using System.Text;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// Text to IPA clauses with Debian's espeak-ng, as piper-phonemize calls it. espeak-ng is one process-wide,
/// non-thread-safe library (its voice, its buffers and its dictionary are globals), so every call takes one lock.
/// </summary>
/// <remarks>
/// Piper's own phonemizer links a patched espeak-ng whose <c>espeak_TextToPhonemesWithTerminator</c> says which
/// punctuation ended each clause; Debian's library has only <c>espeak_TextToPhonemes</c>, which drops it. The
/// terminator is read back from the text instead: espeak returns where the next clause starts, and the punctuation
/// is the last clause mark before it that ends a word (followed by a space, a quote, a bracket or the end).
/// </remarks>
internal static unsafe class Espeak
{
    private const string Terminators = ".,?!;:";
    private static readonly Lock Gate = new();
    private static int _sampleRate;
    private static string? _voice;

    /// <summary>
    /// Loads the library and selects <paramref name="voice"/> once, for a model's load: a message saying what is
    /// missing, or null.
    /// </summary>
    public static string? Check(string voice)
    {
        try
        {
            lock (Gate)
            {
                return SelectVoice(voice);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"espeak-ng's library ({EspeakNative.Library}) cannot be loaded: {ex.Message}; install Debian's libespeak-ng1 (apt-get install espeak-ng)";
        }
    }

    /// <summary>The clauses of <paramref name="text"/> in <paramref name="voice"/>, in order.</summary>
    public static IReadOnlyList<EspeakClause> Clauses(string text, string voice)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        var clauses = new List<EspeakClause>();
        lock (Gate)
        {
            if (SelectVoice(voice) is { } error)
            {
                throw new InvalidOperationException(error);
            }

            fixed (byte* start = bytes)
            {
                var position = start;
                var previous = 0;
                while (position != null)
                {
                    var phonemes = EspeakNative.TextToPhonemes(&position, EspeakNative.CharsUtf8, EspeakNative.PhonemesIpa);
                    var next = position == null ? bytes.Length - 1 : (int)(position - start);
                    var ipa = phonemes == null ? "" : new string((sbyte*)phonemes, 0, Length(phonemes), Encoding.UTF8);
                    clauses.Add(new EspeakClause(ipa.Trim(), Terminator(bytes, previous, next)));
                    previous = next;
                }
            }
        }

        return clauses;
    }

    // The last clause mark in [from, to) that ends a word. espeak reads a character or two past the clause's end, so
    // the range can hold the start of the next clause: marks inside a word ("5.50") are not taken for terminators.
    internal static char? Terminator(ReadOnlySpan<byte> text, int from, int to)
    {
        var length = text.Length > 0 && text[^1] == 0 ? text.Length - 1 : text.Length;
        for (var i = Math.Min(to, length) - 1; i >= from; i--)
        {
            if (Terminators.Contains((char)text[i]) && (i + 1 >= length || EndsWord(text[i + 1])))
            {
                return (char)text[i];
            }
        }

        return null;
    }

    private static bool EndsWord(byte next) =>
        next is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'"' or (byte)'\'' or (byte)')' or (byte)']' or (byte)'}'
        || Terminators.Contains((char)next)
        // A multi-byte character after the mark: a typographic quote or dash, as a rule.
        || next >= 0x80;

    private static int Length(byte* text)
    {
        var n = 0;
        while (text[n] != 0)
        {
            n++;
        }

        return n;
    }

    private static string? SelectVoice(string voice)
    {
        if (_sampleRate <= 0)
        {
            _sampleRate = EspeakNative.Initialize(EspeakNative.AudioOutputSynchronous, 0, null, EspeakNative.InitializeDontExit);
            if (_sampleRate <= 0)
            {
                return $"espeak-ng could not initialise (error {_sampleRate}): its data folder (espeak-ng-data) is missing; install Debian's espeak-ng-data";
            }
        }

        if (_voice == voice)
        {
            return null;
        }

        if (EspeakNative.SetVoiceByName(voice) != 0)
        {
            _voice = null;
            return $"espeak-ng has no voice '{voice}' (see espeak-ng --voices)";
        }

        _voice = voice;
        return null;
    }
}
