using Google.Protobuf;

namespace GrainServe.Generation;

/// <summary>
/// What a SentencePiece <c>tokenizer.model</c> (sentencepiece_model.proto's <c>ModelProto</c>) says that a tokenizer
/// needs: each piece's text, score and type, the trainer's model type, byte fallback and special ids, and the
/// normalizer's flags. Read field by field with Google.Protobuf's <see cref="CodedInputStream"/> (Microsoft.ML.Tokenizers'
/// generated ModelProto is internal); fields not read here are skipped. Absent fields have the .proto's defaults.
/// </summary>
internal sealed class SentencePieceModelProto
{
    /// <summary><c>SentencePiece.Type</c>.</summary>
    public enum PieceType
    {
        /// <summary>A piece of text.</summary>
        Normal = 1,

        /// <summary>The unknown piece (<c>&lt;unk&gt;</c>).</summary>
        Unknown = 2,

        /// <summary>A control symbol (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>): never produced from text.</summary>
        Control = 3,

        /// <summary>A symbol always matched whole in the text.</summary>
        UserDefined = 4,

        /// <summary>A piece kept in the vocabulary but not produced.</summary>
        Unused = 5,

        /// <summary>A byte-fallback piece, <c>&lt;0xNN&gt;</c>.</summary>
        Byte = 6,
    }

    /// <summary><c>TrainerSpec.ModelType</c>.</summary>
    public enum ModelType
    {
        /// <summary>Unigram language model (T5, ALBERT).</summary>
        Unigram = 1,

        /// <summary>Score-ranked BPE (Llama 2, Mistral, Gemma).</summary>
        Bpe = 2,

        /// <summary>Whole words.</summary>
        Word = 3,

        /// <summary>Characters.</summary>
        Char = 4,
    }

    /// <summary>The pieces in id order; a BPE model merges into higher-scored pieces first.</summary>
    public List<(string Piece, float Score, PieceType Type)> Pieces { get; } = [];

    /// <summary>Whether the file has a <c>trainer_spec</c>; Microsoft.ML.Tokenizers cannot read one without.</summary>
    public bool HasTrainerSpec { get; private set; }

    /// <summary><c>trainer_spec.model_type</c>.</summary>
    public ModelType Model { get; private set; } = ModelType.Unigram;

    /// <summary><c>trainer_spec.byte_fallback</c>.</summary>
    public bool ByteFallback { get; private set; }

    /// <summary><c>trainer_spec.treat_whitespace_as_suffix</c>.</summary>
    public bool TreatWhitespaceAsSuffix { get; private set; }

    /// <summary><c>trainer_spec.unk_id</c>.</summary>
    public int UnknownId { get; private set; }

    /// <summary><c>trainer_spec.bos_id</c>; -1 when the model has none.</summary>
    public int BosId { get; private set; } = 1;

    /// <summary><c>trainer_spec.eos_id</c>; -1 when the model has none.</summary>
    public int EosId { get; private set; } = 2;

    /// <summary><c>normalizer_spec.name</c>: <c>identity</c> for Llama 2, Mistral and Gemma.</summary>
    public string NormalizerName { get; private set; } = "";

    /// <summary><c>normalizer_spec.add_dummy_prefix</c>: a <c>▁</c> before the text.</summary>
    public bool AddDummyPrefix { get; private set; } = true;

    /// <summary>Reads a serialized ModelProto.</summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a protobuf message.</exception>
    public static SentencePieceModelProto Parse(byte[] bytes)
    {
        var proto = new SentencePieceModelProto();
        ForEachField(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1:
                    proto.Pieces.Add(ReadPiece(input.ReadBytes()));
                    return true;
                case 2:
                    proto.HasTrainerSpec = true;
                    proto.ReadTrainerSpec(input.ReadBytes());
                    return true;
                case 3:
                    proto.ReadNormalizerSpec(input.ReadBytes());
                    return true;
                default:
                    return false;
            }
        });
        return proto;
    }

    private static (string, float, PieceType) ReadPiece(ByteString bytes)
    {
        var (piece, score, type) = ("", 0f, PieceType.Normal);
        ForEachField(bytes.ToByteArray(), (field, input) =>
        {
            switch (field)
            {
                case 1:
                    piece = input.ReadString();
                    return true;
                case 2:
                    score = input.ReadFloat();
                    return true;
                case 3:
                    type = (PieceType)input.ReadEnum();
                    return true;
                default:
                    return false;
            }
        });
        return (piece, score, type);
    }

    private void ReadTrainerSpec(ByteString bytes) => ForEachField(bytes.ToByteArray(), (field, input) =>
    {
        switch (field)
        {
            case 3:
                Model = (ModelType)input.ReadEnum();
                return true;
            case 24:
                TreatWhitespaceAsSuffix = input.ReadBool();
                return true;
            case 35:
                ByteFallback = input.ReadBool();
                return true;
            case 40:
                UnknownId = input.ReadInt32();
                return true;
            case 41:
                BosId = input.ReadInt32();
                return true;
            case 42:
                EosId = input.ReadInt32();
                return true;
            default:
                return false;
        }
    });

    private void ReadNormalizerSpec(ByteString bytes) => ForEachField(bytes.ToByteArray(), (field, input) =>
    {
        switch (field)
        {
            case 1:
                NormalizerName = input.ReadString();
                return true;
            case 3:
                AddDummyPrefix = input.ReadBool();
                return true;
            default:
                return false;
        }
    });

    /// <summary>
    /// The same serialized ModelProto with <c>trainer_spec.bos_id</c> set to <paramref name="bosId"/>: Microsoft.ML.Tokenizers
    /// 2.0.1's Unigram model indexes its pieces by bos_id and throws on a model without a BOS (T5's bos_id is -1). A
    /// second trainer_spec holding only bos_id is appended: protobuf merges a message field that comes twice, and of a
    /// scalar the last value wins, so every other field stays as it was.
    /// </summary>
    public static byte[] WithBosId(byte[] bytes, int bosId)
    {
        var trainer = new MemoryStream();
        var trainerOutput = new CodedOutputStream(trainer);
        trainerOutput.WriteTag(41, WireFormat.WireType.Varint);
        trainerOutput.WriteInt32(bosId);
        trainerOutput.Flush();

        var stream = new MemoryStream();
        stream.Write(bytes);
        var output = new CodedOutputStream(stream);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(trainer.ToArray()));
        output.Flush();
        return stream.ToArray();
    }

    // read: reads the field's value and returns true, or returns false to have it skipped.
    private static void ForEachField(byte[] bytes, Func<int, CodedInputStream, bool> read)
    {
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (!read(WireFormat.GetTagFieldNumber(tag), input))
            {
                input.SkipLastField();
            }
        }
    }
}
