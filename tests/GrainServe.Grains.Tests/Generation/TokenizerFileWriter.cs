using System.Text.Json.Nodes;
using Google.Protobuf;

namespace GrainServe.Generation;

/// <summary>
/// The pieces the test tokenizers write their files with: sentencepiece_model.proto's fields by hand (the repo has no
/// generated SentencePiece classes) and a tokenizer.json special added token.
/// </summary>
internal static class TokenizerFileWriter
{
    /// <summary>One entry of the ModelProto's pieces (field 1: piece 1, score 2, type 3).</summary>
    public static void Piece(CodedOutputStream output, string piece, float score, int type)
    {
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(piece);
            o.WriteTag(2, WireFormat.WireType.Fixed32);
            o.WriteFloat(score);
            // NORMAL (1) is the field's default, and SentencePiece leaves it out.
            if (type != 1)
            {
                Varint(o, 3, type);
            }
        }));
    }

    /// <summary>An integer (or bool, enum) field.</summary>
    public static void Varint(CodedOutputStream output, int field, int value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value);
    }

    /// <summary>An embedded message's bytes, written by <paramref name="write"/>.</summary>
    public static ByteString Message(Action<CodedOutputStream> write)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
    }

    /// <summary>A tokenizer.json <c>added_tokens</c> entry for a special token.</summary>
    public static JsonObject SpecialToken(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };
}
