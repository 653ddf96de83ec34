
namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// Phonemes to a VITS input as piper-phonemize's <c>phonemes_to_ids</c> writes it: BOS (<c>^</c>) and a pad, then
/// each phoneme's ids followed by the pad (<c>_</c>), then EOS (<c>$</c>). A phoneme is one Unicode code point of the
/// NFD-decomposed IPA (so "ç" is "c" and a combining cedilla); one the voice's map lacks is skipped, as piper skips it. Pure.
/// </summary>
internal static class PiperPhonemeIds
{
    /// <summary>Piper's pad, BOS and EOS symbols.</summary>
    public const string Pad = "_", Bos = "^", Eos = "$";

    /// <summary>The ids of <paramref name="phonemes"/>, and how many code points the map lacked.</summary>
    public static (long[] Ids, int Missing) From(string phonemes, IReadOnlyDictionary<string, long[]> map)
    {
        var ids = new List<long>(phonemes.Length * 2 + 3);
        var pad = map[Pad];
        ids.AddRange(map[Bos]);
        ids.AddRange(pad);
        var missing = 0;
        foreach (var rune in IpaDecomposition.Decompose(phonemes).EnumerateRunes())
        {
            if (!map.TryGetValue(rune.ToString(), out var mapped))
            {
                missing++;
                continue;
            }

            ids.AddRange(mapped);
            ids.AddRange(pad);
        }

        ids.AddRange(map[Eos]);
        return ([.. ids], missing);
    }
}
