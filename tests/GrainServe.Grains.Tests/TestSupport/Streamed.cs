using GrainServe.Generation;

namespace GrainServe.TestSupport;

/// <summary>Text as the engine streams it: the tokens after the prompt detokenized one at a time, then the flush.</summary>
internal static class Streamed
{
    /// <summary>The pieces each new token released, then what the flush released.</summary>
    public static List<string> Pieces(ITokenDecoder tokenizer, int[] ids, int promptLength)
    {
        var detokenizer = new IncrementalDetokenizer(tokenizer, promptLength, skipSpecialTokens: true);
        var pieces = new List<string>();
        for (var n = promptLength + 1; n <= ids.Length; n++)
        {
            pieces.Add(detokenizer.Next(ids.AsSpan(0, n)));
        }

        pieces.Add(detokenizer.Flush(ids));
        return pieces;
    }
}
