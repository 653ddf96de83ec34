using System.Text.Json.Nodes;
using Google.Protobuf;
using static GrainServe.Generation.TokenizerFileWriter;

namespace GrainServe.Generation;

/// <summary>
/// A small tokenizer in the two layouts Llama 2, Mistral and TinyLlama ship, written at test time: a Hugging Face
/// tokenizer.json (BPE with byte fallback, spaces as ▁) and the SentencePiece tokenizer.model it was converted from.
/// Ids as in Llama 2: <c>&lt;unk&gt;</c> 0, <c>&lt;s&gt;</c> 1, <c>&lt;/s&gt;</c> 2, the byte pieces <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>
/// 3..258, then the characters of <see cref="Characters"/> from 259 and the merge results of <see cref="Merges"/>
/// after them. Only ▁ h e l o w r d é 你 are characters of the vocabulary: anything else (好, 🎉, x, a newline)
/// can only be written with byte tokens.
/// </summary>
internal static class LlamaStyleTokenizer
{
    public const string Metaspace = "\u2581";

    public static readonly string[] Characters = [Metaspace, "h", "e", "l", "o", "w", "r", "d", "é", "你"];

    /// <summary>
    /// The merges in rank order, as Hugging Face's converter writes them for the SentencePiece model below: each
    /// piece's splits into two pieces, ordered by the piece's score (here, how early it is in the list).
    /// </summary>
    public static readonly (string Left, string Right)[] Merges =
    [
        ("e", "l"), ("l", "o"), ("l", "l"), (Metaspace, "h"), (Metaspace, "w"), ("o", "r"),
        (Metaspace + "h", "el"), (Metaspace + "w", "or"), (Metaspace + "wor", "l"), (Metaspace + "worl", "d"),
        ("ll", "o"), ("l", "lo"),
    ];

    public const string LegacyNormalizer = """{ "type": "Sequence", "normalizers": [ { "type": "Prepend", "prepend": "▁" }, { "type": "Replace", "pattern": { "String": " " }, "content": "▁" } ] }""";

    public const string LegacyDecoder = """{ "type": "Sequence", "decoders": [ { "type": "Replace", "pattern": { "String": "▁" }, "content": " " }, { "type": "ByteFallback" }, { "type": "Fuse" }, { "type": "Strip", "content": " ", "start": 1, "stop": 0 } ] }""";

    private static readonly Lazy<Dictionary<string, int>> Ids = new(() => Vocabulary(Merges));

    /// <summary>The id of a token of the vocabulary built from <see cref="Merges"/>.</summary>
    public static int T(string token) => Ids.Value[token];

    /// <summary>The id of byte <paramref name="value"/>'s fallback token.</summary>
    public static int B(int value) => 3 + value;

    public static Dictionary<string, int> Vocabulary(IEnumerable<(string Left, string Right)> merges)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal) { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (var b = 0; b < 256; b++)
        {
            vocabulary[$"<0x{b:X2}>"] = 3 + b;
        }

        foreach (var token in Characters.Concat(merges.Select(m => m.Left + m.Right)))
        {
            vocabulary.TryAdd(token, vocabulary.Count);
        }

        return vocabulary;
    }

    /// <summary>A Metaspace step, as a pre-tokenizer or a decoder.</summary>
    public static string MetaspaceStep(string prependScheme, bool split) =>
        $$"""{ "type": "Metaspace", "replacement": "▁", "prepend_scheme": "{{prependScheme}}", "split": {{(split ? "true" : "false")}} }""";

    /// <summary>
    /// A tokenizer.json as transformers writes Llama 2's: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>
    /// special added tokens, a TemplateProcessing that puts <c>&lt;s&gt;</c> first, and the given steps.
    /// </summary>
    public static string TokenizerJson(string normalizer = LegacyNormalizer, string preTokenizer = "null", string decoder = LegacyDecoder,
        IReadOnlyList<(string Left, string Right)>? merges = null, bool byteFallback = true)
    {
        merges ??= Merges;
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                SpecialToken(0, "<unk>"), SpecialToken(1, "<s>"), SpecialToken(2, "</s>")),
            ["normalizer"] = JsonNode.Parse(normalizer),
            ["pre_tokenizer"] = JsonNode.Parse(preTokenizer),
            ["post_processor"] = JsonNode.Parse("""
                {
                  "type": "TemplateProcessing",
                  "single": [ { "SpecialToken": { "id": "<s>", "type_id": 0 } }, { "Sequence": { "id": "A", "type_id": 0 } } ],
                  "pair": [ { "SpecialToken": { "id": "<s>", "type_id": 0 } }, { "Sequence": { "id": "A", "type_id": 0 } }, { "Sequence": { "id": "B", "type_id": 1 } } ],
                  "special_tokens": { "<s>": { "id": "<s>", "ids": [1], "tokens": ["<s>"] } }
                }
                """),
            ["decoder"] = JsonNode.Parse(decoder),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = "<unk>",
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true,
                ["byte_fallback"] = byteFallback,
                ["ignore_merges"] = false,
                ["vocab"] = new JsonObject(Vocabulary(merges).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["merges"] = new JsonArray([.. merges.Select(m => (JsonNode?)$"{m.Left} {m.Right}")]),
            },
        };
        return root.ToJsonString();
    }

    /// <summary>
    /// The SentencePiece ModelProto of the same tokenizer, serialized as sentencepiece_model.proto says: pieces (field
    /// 1: piece 1, score 2, type 3), trainer_spec (field 2: model_type 3, byte_fallback 35, unk/bos/eos ids 40–42) and
    /// normalizer_spec (field 3: name 1, add_dummy_prefix 3, remove_extra_whitespaces 4, escape_whitespaces 5), with
    /// Llama 2's settings. A merged piece scores minus its place in <see cref="Merges"/>' results (higher merges
    /// first); characters score lower than any merge. <paramref name="scores"/> overrides a piece's score and
    /// <paramref name="userDefined"/> adds user-defined pieces after the rest.
    /// </summary>
    public static byte[] ModelProto(int modelType = 2, bool byteFallback = true, bool addDummyPrefix = true, bool trainerSpec = true,
        IReadOnlyDictionary<string, float>? scores = null, IReadOnlyList<string>? userDefined = null)
    {
        var pieces = Ids.Value.OrderBy(p => p.Value).Select(p => p.Key).ToList();
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var piece in pieces)
        {
            var id = Ids.Value[piece];
            var (type, score) = id switch
            {
                0 => (2, 0f),
                < 3 => (3, 0f),
                < 259 => (6, 0f),
                _ when Characters.Contains(piece) => (1, -100f - Array.IndexOf(Characters, piece)),
                _ => (1, -(float)(id - 258 - Characters.Length)),
            };
            Piece(output, piece, scores?.GetValueOrDefault(piece, score) ?? score, type);
        }

        foreach (var piece in userDefined ?? [])
        {
            Piece(output, piece, 0f, 4);
        }

        if (trainerSpec)
        {
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                Varint(o, 3, modelType);
                Varint(o, 35, byteFallback ? 1 : 0);
                Varint(o, 40, 0);
                Varint(o, 41, 1);
                Varint(o, 42, 2);
            }));
        }

        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("identity");
            Varint(o, 3, addDummyPrefix ? 1 : 0);
            Varint(o, 4, 0);
            Varint(o, 5, 1);
        }));
        output.Flush();
        return stream.ToArray();
    }

}
