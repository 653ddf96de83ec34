using System.Globalization;
using System.Text;

namespace GrainServe.Generation;

/// <summary>
/// Unicode's NFC and NFKC (UAX #15: full decomposition, canonical ordering, canonical composition) from tables of
/// their own, because the server runs with invariant globalization, where <see cref="string.Normalize()"/> leaves
/// non-ASCII text as it is. The tables (<c>UnicodeNormalization.txt</c>, embedded) are Unicode 14.0.0's, written by
/// <c>tools/unicode/normalization-table.py</c> from Python's unicodedata; Hangul syllables are computed.
/// </summary>
internal static class UnicodeNormalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Lazy<Tables> Data = new(Load);

    /// <summary>Canonical composition of the canonical decomposition.</summary>
    public static string Nfc(string text) => Normalize(text, compatibility: false);

    /// <summary>Canonical composition of the compatibility decomposition: <c>ﬁ</c> is <c>fi</c>, <c>①</c> is <c>1</c>.</summary>
    public static string Nfkc(string text) => Normalize(text, compatibility: true);

    private static string Normalize(string text, bool compatibility)
    {
        if (Ascii.IsValid(text))
        {
            return text;
        }

        var tables = Data.Value;
        var code = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            Decompose(rune.Value, compatibility, tables, code);
        }

        // Canonical ordering: a stable sort of each run of non-starters by combining class.
        for (var i = 0; i < code.Count; i++)
        {
            var end = i;
            while (end < code.Count && Ccc(tables, code[end]) != 0)
            {
                end++;
            }

            if (end - i > 1)
            {
                var run = code.GetRange(i, end - i).Select((c, k) => (c, k)).OrderBy(p => Ccc(tables, p.c)).ThenBy(p => p.k).Select(p => p.c).ToArray();
                for (var k = 0; k < run.Length; k++)
                {
                    code[i + k] = run[k];
                }
            }

            i = end;
        }

        Compose(code, tables);
        var builder = new StringBuilder(code.Count);
        foreach (var c in code)
        {
            builder.Append(char.ConvertFromUtf32(c));
        }

        return builder.ToString();
    }

    private static void Decompose(int c, bool compatibility, Tables tables, List<int> output)
    {
        if (c is >= SBase and < SBase + SCount)
        {
            var s = c - SBase;
            output.Add(LBase + (s / NCount));
            output.Add(VBase + (s % NCount / TCount));
            if (s % TCount != 0)
            {
                output.Add(TBase + (s % TCount));
            }

            return;
        }

        if (compatibility && tables.Compatibility.TryGetValue(c, out var k))
        {
            output.AddRange(k);
        }
        else if (tables.Canonical.TryGetValue(c, out var d))
        {
            output.AddRange(d);
        }
        else
        {
            output.Add(c);
        }
    }

    // UAX #15's canonical composition (its sample code): a character joins the last starter when nothing between
    // them blocks it, that is when it is next to the starter or every character between has a lower class.
    private static void Compose(List<int> code, Tables tables)
    {
        if (code.Count == 0)
        {
            return;
        }

        var starter = 0;
        // A text that starts with a non-starter has no starter to compose with until the first one.
        var lastClass = Ccc(tables, code[0]) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < code.Count; read++)
        {
            var c = code[read];
            var cc = Ccc(tables, c);
            if ((lastClass < cc || lastClass == 0) && TryCompose(tables, code[starter], c, out var composed))
            {
                code[starter] = composed;
                continue;
            }

            if (cc == 0)
            {
                starter = write;
            }

            lastClass = cc;
            code[write++] = c;
        }

        code.RemoveRange(write, code.Count - write);
    }

    private static bool TryCompose(Tables tables, int first, int second, out int composed)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composed = SBase + ((((first - LBase) * VCount) + (second - VBase)) * TCount);
            return true;
        }

        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composed = first + (second - TBase);
            return true;
        }

        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out composed);
    }

    private static int Ccc(Tables tables, int c) => tables.CombiningClass.TryGetValue(c, out var cc) ? cc : 0;

    private static Tables Load()
    {
        var tables = new Tables();
        using var stream = typeof(UnicodeNormalization).Assembly.GetManifestResourceStream("GrainServe.Generation.UnicodeNormalization.txt")
            ?? throw new InvalidOperationException("the embedded UnicodeNormalization.txt is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ');
            var cp = Hex(parts[1]);
            switch (parts[0])
            {
                case "d":
                    tables.Canonical[cp] = [.. parts.Skip(2).Select(Hex)];
                    break;
                case "k":
                    tables.Compatibility[cp] = [.. parts.Skip(2).Select(Hex)];
                    break;
                case "c":
                    tables.CombiningClass[cp] = int.Parse(parts[2], CultureInfo.InvariantCulture);
                    break;
                case "p":
                    tables.Compositions[((long)cp << 21) | (uint)Hex(parts[2])] = Hex(parts[3]);
                    break;
                default:
                    throw new InvalidOperationException($"UnicodeNormalization.txt: line '{line}' is of no known kind");
            }
        }

        return tables;
    }

    private static int Hex(string text) => int.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private sealed class Tables
    {
        public Dictionary<int, int[]> Canonical { get; } = [];

        public Dictionary<int, int[]> Compatibility { get; } = [];

        public Dictionary<int, int> CombiningClass { get; } = [];

        public Dictionary<long, int> Compositions { get; } = [];
    }
}
