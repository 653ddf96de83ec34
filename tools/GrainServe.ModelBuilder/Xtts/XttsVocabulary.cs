using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GrainServe.ModelBuilder.Xtts;

/// <summary>
/// A small XTTS-v2-format <c>vocab.json</c> (a Hugging Face tokenizers file: BPE model, Whitespace pre-tokenizer,
/// added tokens <c>[STOP]</c> 0, <c>[UNK]</c> 1, <c>[SPACE]</c> 2, then XTTS-v2's language tokens, with
/// <c>[START]</c> last), over lower-case Latin letters, digits, punctuation and a few merges of common English pairs.
/// XTTS-v2's own has 6,681 ids; this one fits the sample GPT's <see cref="XttsDims.TextTokens"/>.
/// </summary>
public static class XttsVocabulary
{
    /// <summary>XTTS-v2's languages, in its order.</summary>
    public static IReadOnlyList<string> Languages { get; } =
        ["en", "es", "fr", "de", "it", "pt", "pl", "tr", "ru", "nl", "cs", "ar", "zh-cn", "ja", "hu", "ko", "hi"];

    private static readonly string Characters = "abcdefghijklmnopqrstuvwxyz0123456789.,!?'-:;()àáâäçèéêëíîïñóôöúùûüßąćęłńśźżőű";

    private static readonly (string Left, string Right)[] Merges =
    [
        ("t", "h"), ("th", "e"), ("i", "n"), ("e", "r"), ("a", "n"), ("r", "e"), ("o", "n"), ("a", "t"), ("e", "n"),
        ("in", "g"), ("o", "u"), ("e", "d"), ("i", "s"), ("o", "r"), ("a", "r"), ("e", "s"), ("t", "o"), ("i", "t"),
        ("an", "d"), ("o", "f"), ("l", "l"), ("s", "t"), ("h", "a"), ("w", "h"), ("e", "a"), ("l", "e"), ("s", "e"),
    ];

    /// <summary>The file's bytes; the same every time.</summary>
    public static byte[] Build()
    {
        var vocab = new List<string> { "[STOP]", "[UNK]", "[SPACE]" };
        vocab.AddRange(Languages.Select(l => $"[{l}]"));
        var added = vocab.Count;
        vocab.AddRange(Characters.Select(c => c.ToString()));
        vocab.AddRange(Merges.Select(m => m.Left + m.Right));
        vocab.Add("[START]");
        if (vocab.Count > XttsDims.TextTokens)
        {
            throw new InvalidOperationException($"the sample vocabulary has {vocab.Count} ids; the GPT embeds {XttsDims.TextTokens}");
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            foreach (var id in Enumerable.Range(0, added).Append(vocab.Count - 1))
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", vocab[id]);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNull("normalizer");
            json.WriteStartObject("pre_tokenizer");
            json.WriteString("type", "Whitespace");
            json.WriteEndObject();
            json.WriteNull("post_processor");
            json.WriteNull("decoder");
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteString("unk_token", "[UNK]");
            json.WriteNull("continuing_subword_prefix");
            json.WriteNull("end_of_word_suffix");
            json.WriteBoolean("fuse_unk", false);
            json.WriteStartObject("vocab");
            for (var id = 0; id < vocab.Count; id++)
            {
                json.WriteNumber(vocab[id], id);
            }

            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right) in Merges)
            {
                json.WriteStringValue($"{left} {right}");
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n") + "\n");
    }
}
