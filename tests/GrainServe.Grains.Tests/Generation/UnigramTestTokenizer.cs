using System.Text.Json.Nodes;
using Google.Protobuf;
using static GrainServe.Generation.TokenizerFileWriter;

namespace GrainServe.Generation;

/// <summary>
/// A small Unigram tokenizer in the two layouts T5-style models ship, written at test time: a SentencePiece
/// tokenizer.model (model_type UNIGRAM) and a Hugging Face tokenizer.json with the same pieces and scores. Ids:
/// <c>&lt;pad&gt;</c> 0, <c>&lt;/s&gt;</c> 1, <c>&lt;unk&gt;</c> 2 (as T5's), then with byte fallback the 256 byte pieces,
/// then <see cref="Pieces"/> in order. Only ▁ a b c x y and 你 are characters of the vocabulary.
/// </summary>
internal static class UnigramTestTokenizer
{
    public const string Metaspace = "\u2581";

    /// <summary>
    /// The pieces and their scores, chosen so hand-worked segmentations tell Viterbi from greedy longest-match:
    /// <c>▁abc</c> is best as <c>▁a bc</c> (-2.5), not <c>▁ab c</c> (-4) nor <c>▁ abc</c> (-6).
    /// </summary>
    public static readonly (string Piece, float Score)[] Pieces =
    [
        (Metaspace, -1f), ("a", -2f), ("b", -2f), ("c", -2f), ("x", -1f), ("y", -1f), ("你", -3f),
        ("ab", -1.5f), ("bc", -1f), (Metaspace + "a", -1.5f), (Metaspace + "ab", -2f), ("abc", -5f), ("xy", -2f),
    ];

    /// <summary>The id of a piece.</summary>
    public static int T(string piece, bool byteFallback = true) =>
        3 + (byteFallback ? 256 : 0) + Array.FindIndex(Pieces, p => p.Piece == piece);

    /// <summary>The id of byte <paramref name="value"/>'s fallback piece.</summary>
    public static int B(int value) => 3 + value;

    public const string LegacyNormalizer = """{ "type": "Sequence", "normalizers": [ { "type": "Prepend", "prepend": "▁" }, { "type": "Replace", "pattern": { "String": " " }, "content": "▁" } ] }""";

    public const string ByteFallbackDecoder = """{ "type": "Sequence", "decoders": [ { "type": "Replace", "pattern": { "String": "▁" }, "content": " " }, { "type": "ByteFallback" }, { "type": "Fuse" }, { "type": "Strip", "content": " ", "start": 1, "stop": 0 } ] }""";

    public const string MetaspaceDecoder = """{ "type": "Metaspace", "replacement": "▁", "add_prefix_space": true }""";

    /// <summary>The pieces in id order with their scores and SentencePiece types (1 normal, 2 unknown, 3 control, 6 byte).</summary>
    public static List<(string Piece, float Score, int Type)> All(bool byteFallback)
    {
        var all = new List<(string, float, int)> { ("<pad>", 0f, 3), ("</s>", 0f, 3), ("<unk>", 0f, 2) };
        if (byteFallback)
        {
            for (var b = 0; b < 256; b++)
            {
                all.Add(($"<0x{b:X2}>", 0f, 6));
            }
        }

        all.AddRange(Pieces.Select(p => (p.Piece, p.Score, 1)));
        return all;
    }

    /// <summary>A tokenizer.json as transformers converts a T5-style model, with the given steps.</summary>
    public static string TokenizerJson(bool byteFallback = true, string normalizer = LegacyNormalizer, string preTokenizer = "null", string decoder = ByteFallbackDecoder)
    {
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(SpecialToken(0, "<pad>"), SpecialToken(1, "</s>"), SpecialToken(2, "<unk>")),
            ["normalizer"] = JsonNode.Parse(normalizer),
            ["pre_tokenizer"] = JsonNode.Parse(preTokenizer),
            ["post_processor"] = JsonNode.Parse("""
                { "type": "TemplateProcessing",
                  "single": [ { "Sequence": { "id": "A", "type_id": 0 } }, { "SpecialToken": { "id": "</s>", "type_id": 0 } } ],
                  "pair": [ { "Sequence": { "id": "A", "type_id": 0 } }, { "SpecialToken": { "id": "</s>", "type_id": 0 } }, { "Sequence": { "id": "B", "type_id": 0 } }, { "SpecialToken": { "id": "</s>", "type_id": 0 } } ],
                  "special_tokens": { "</s>": { "id": "</s>", "ids": [1], "tokens": ["</s>"] } } }
                """),
            ["decoder"] = JsonNode.Parse(decoder),
            ["model"] = new JsonObject
            {
                ["type"] = "Unigram",
                ["unk_id"] = 2,
                ["vocab"] = new JsonArray([.. All(byteFallback).Select(p => (JsonNode?)new JsonArray(p.Piece, (double)p.Score))]),
                ["byte_fallback"] = byteFallback,
            },
        };
        return root.ToJsonString();
    }

    /// <summary>
    /// The SentencePiece ModelProto of the same pieces (sentencepiece_model.proto: pieces field 1; trainer_spec 2 with
    /// model_type 3, byte_fallback 35, unk/bos/eos/pad ids 40–43; normalizer_spec 3 with name 1, add_dummy_prefix 3,
    /// remove_extra_whitespaces 4, escape_whitespaces 5). T5's ids: pad 0, eos 1, unk 2, and no BOS (-1).
    /// </summary>
    public static byte[] ModelProto(bool byteFallback = true, bool addDummyPrefix = true, int bosId = -1)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var (piece, score, type) in All(byteFallback))
        {
            Piece(output, piece, score, type);
        }

        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            Varint(o, 3, 1);
            Varint(o, 35, byteFallback ? 1 : 0);
            Varint(o, 40, 2);
            Varint(o, 41, bosId);
            Varint(o, 42, 1);
            Varint(o, 43, 0);
            o.WriteTag(45, WireFormat.WireType.LengthDelimited);
            o.WriteString("<pad>");
            o.WriteTag(47, WireFormat.WireType.LengthDelimited);
            o.WriteString("</s>");
        }));
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
