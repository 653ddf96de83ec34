using System.Text;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// espeak-ng's clauses joined into sentences as piper-phonemize joins them: each clause's phonemes, then its
/// punctuation (<c>.</c>, <c>?</c>, <c>!</c> end the sentence; <c>,</c>, <c>:</c>, <c>;</c> are followed by a space
/// and the sentence goes on). A sentence is one VITS run: the unit of streaming. Pure.
/// </summary>
internal static class PiperSentences
{
    /// <summary>The phonemes of each sentence, in order; sentences without a phoneme are left out.</summary>
    public static IReadOnlyList<string> Join(IEnumerable<EspeakClause> clauses)
    {
        var sentences = new List<string>();
        var sentence = new StringBuilder();
        foreach (var clause in clauses)
        {
            sentence.Append(clause.Phonemes);
            switch (clause.Terminator)
            {
                case '.' or '?' or '!':
                    sentence.Append(clause.Terminator.Value);
                    Flush(sentences, sentence);
                    break;
                case ',' or ':' or ';':
                    sentence.Append(clause.Terminator.Value).Append(' ');
                    break;
                default:
                    // espeak split the clause for a reason of its own (length, a quote): piper adds nothing between.
                    break;
            }
        }

        Flush(sentences, sentence);
        return sentences;
    }

    private static void Flush(List<string> sentences, StringBuilder sentence)
    {
        var text = sentence.ToString().Trim();
        if (text.Any(char.IsLetter))
        {
            sentences.Add(text);
        }

        sentence.Clear();
    }
}
