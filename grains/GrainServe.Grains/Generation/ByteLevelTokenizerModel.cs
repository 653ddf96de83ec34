using Microsoft.ML.Tokenizers;

namespace GrainServe.Generation;

/// <summary>
/// A byte-level BPE (GPT-2, Llama 3, Qwen) or tiktoken encoding from Microsoft.ML.Tokenizers, with the two steps of a
/// Hugging Face tokenizer.json that library leaves to the caller: the NFC normalizer and ByteLevel's
/// <c>add_prefix_space</c>.
/// </summary>
internal sealed class ByteLevelTokenizerModel(Tokenizer model, bool addPrefixSpace = false, bool normalizeNfc = false) : ITokenizerModel
{
    public void Encode(string chunk, bool atTextStart, List<int> ids)
    {
        // The server's own tables: with InvariantGlobalization string.Normalize leaves non-ASCII text as it is.
        if (normalizeNfc)
        {
            chunk = UnicodeNormalization.Nfc(chunk);
        }

        if (addPrefixSpace && chunk[0] != ' ')
        {
            chunk = " " + chunk;
        }

        ids.AddRange(model.EncodeToIds(chunk));
    }

    public int? TokenId(string tokenText)
    {
        var ids = new List<int>();
        Encode(tokenText, atTextStart: false, ids);
        return ids.Count == 1 ? ids[0] : null;
    }
}
