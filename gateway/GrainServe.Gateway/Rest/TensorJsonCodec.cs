using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// Converts a tensor's JSON <c>data</c> (flat or nested arrays of numbers, booleans or strings) to the binary
/// layout of <see cref="InferTensor"/> and back. Floats that JSON cannot write (NaN, infinities) travel as the
/// strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.
/// </summary>
internal static class TensorJsonCodec
{
    /// <summary>Writes a tensor's elements as a flat JSON array.</summary>
    public static void Encode(Utf8JsonWriter writer, InferTensor tensor)
    {
        writer.WriteStartArray();
        var data = tensor.Data.AsSpan();
        var size = InferDatatype.ElementSize(tensor.Datatype);
        if (tensor.Datatype == InferDatatype.Bytes)
        {
            while (data.Length >= 4)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                writer.WriteStringValue(Encoding.UTF8.GetString(data.Slice(4, length)));
                data = data[(4 + length)..];
            }
        }
        else
        {
            for (var offset = 0; offset + size <= data.Length; offset += size)
            {
                var e = data.Slice(offset, size);
                switch (tensor.Datatype)
                {
                    case InferDatatype.Bool: writer.WriteBooleanValue(e[0] != 0); break;
                    case InferDatatype.UInt8: writer.WriteNumberValue(e[0]); break;
                    case InferDatatype.Int8: writer.WriteNumberValue((sbyte)e[0]); break;
                    case InferDatatype.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(e)); break;
                    case InferDatatype.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(e)); break;
                    case InferDatatype.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(e)); break;
                    case InferDatatype.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(e)); break;
                    case InferDatatype.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(e)); break;
                    case InferDatatype.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(e)); break;
                    case InferDatatype.Fp16: WriteFloat(writer, (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(e))); break;
                    case InferDatatype.Bf16: WriteFloat(writer, BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(e) << 16)); break;
                    case InferDatatype.Fp32: WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(e)); break;
                    case InferDatatype.Fp64: WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(e)); break;
                }
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>bfloat16 from a single, rounding to nearest even as PyTorch does; NaN stays a quiet NaN.</summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>
    /// Decodes <c>data</c> of <paramref name="datatype"/> (a value, or flat or nested arrays of them) straight from
    /// the reader, which is on the value's first token and is left on its last: each element is tokenized and
    /// parsed once, into the bytes the tensor keeps. <paramref name="expectedCount"/> (from the shape) sizes the
    /// buffer; the data decides the count, which the model's validator checks against the shape.
    /// </summary>
    /// <remarks>Throws InvalidInput naming the first element that is not a valid value of the datatype.</remarks>
    public static byte[] Decode(string name, string datatype, ref Utf8JsonReader reader, long expectedCount, int jsonLength)
    {
        if (datatype == InferDatatype.Bytes)
        {
            return DecodeBytes(name, ref reader);
        }

        var size = InferDatatype.ElementSize(datatype);
        if (size <= 0)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' has unknown datatype '{datatype}'");
        }

        // Each element takes at least two bytes of JSON ("1,"), so a shape cannot size more than the body holds.
        var capacity = (int)Math.Clamp(expectedCount, 1, (jsonLength / 2) + 1);
        var bytes = new byte[capacity * size];
        var count = 0;
        var depth = reader.CurrentDepth;
        while (true)
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                if ((count + 1) * size > bytes.Length)
                {
                    Array.Resize(ref bytes, bytes.Length * 2);
                }

                if (!TryRead(name, datatype, ref reader, count, bytes.AsSpan(count * size, size)))
                {
                    using var element = JsonDocument.ParseValue(ref reader);
                    throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' element {count} ({Describe(element.RootElement)}) is not a valid {datatype} value");
                }

                count++;
            }

            if (reader.CurrentDepth == depth && reader.TokenType != JsonTokenType.StartArray)
            {
                break;
            }

            reader.Read();
        }

        return count * size == bytes.Length ? bytes : bytes[..(count * size)];
    }

    // One element of a fixed-size datatype from the reader's current token.
    private static bool TryRead(string name, string datatype, ref Utf8JsonReader reader, int index, Span<byte> slot) => datatype switch
    {
        InferDatatype.Bool => reader.TokenType is JsonTokenType.True or JsonTokenType.False && Write(slot, reader.TokenType == JsonTokenType.True ? (byte)1 : (byte)0),
        InferDatatype.UInt8 => TryInteger(ref reader, byte.MinValue, byte.MaxValue, out var v) && Write(slot, (byte)v),
        InferDatatype.Int8 => TryInteger(ref reader, sbyte.MinValue, sbyte.MaxValue, out var v) && Write(slot, (byte)(sbyte)v),
        InferDatatype.UInt16 => TryInteger(ref reader, ushort.MinValue, ushort.MaxValue, out var v) && Write(slot, (ushort)v),
        InferDatatype.Int16 => TryInteger(ref reader, short.MinValue, short.MaxValue, out var v) && Write(slot, (ushort)(short)v),
        InferDatatype.UInt32 => TryInteger(ref reader, uint.MinValue, uint.MaxValue, out var v) && Write(slot, (uint)v),
        InferDatatype.Int32 => TryInteger(ref reader, int.MinValue, int.MaxValue, out var v) && Write(slot, (uint)(int)v),
        InferDatatype.Int64 => TryInteger(ref reader, long.MinValue, long.MaxValue, out var v) && Write(slot, (ulong)v),
        InferDatatype.UInt64 => reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var u) && Write(slot, u),
        InferDatatype.Fp16 => TryDouble(name, ref reader, index, out var d) && Write(slot, BitConverter.HalfToUInt16Bits((Half)d)),
        InferDatatype.Bf16 => TryDouble(name, ref reader, index, out var d) && Write(slot, ToBFloat16((float)d)),
        InferDatatype.Fp32 => TrySingle(name, ref reader, index, out var f) && Write(slot, BitConverter.SingleToUInt32Bits(f)),
        _ => TryDouble(name, ref reader, index, out var d) && Write(slot, BitConverter.DoubleToUInt64Bits(d)),
    };

    private static bool TryInteger(ref Utf8JsonReader reader, long min, long max, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value >= min && value <= max;
    }

    private static bool TryDouble(string name, ref Utf8JsonReader reader, int index, out double value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetDouble(out value);
        }

        var named = reader.TokenType == JsonTokenType.String ? Named(JsonFields.Text(ref reader, $"input '{name}' element {index}")) : null;
        value = named ?? 0;
        return named is not null;
    }

    // Parsed as a single where it fits, else as a double and narrowed (a literal beyond a single's range).
    private static bool TrySingle(string name, ref Utf8JsonReader reader, int index, out float value)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out value))
        {
            return true;
        }

        var ok = TryDouble(name, ref reader, index, out var wide);
        value = (float)wide;
        return ok;
    }

    // BYTES data: each element a JSON string, kept as its UTF-8 bytes.
    private static byte[] DecodeBytes(string name, ref Utf8JsonReader reader)
    {
        var values = new List<byte[]>();
        var depth = reader.CurrentDepth;
        while (true)
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    using var element = JsonDocument.ParseValue(ref reader);
                    throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' element {values.Count} ({Describe(element.RootElement)}) is not a string; BYTES data are JSON strings");
                }

                values.Add(Encoding.UTF8.GetBytes(JsonFields.Text(ref reader, $"input '{name}' element {values.Count}")));
            }

            if (reader.CurrentDepth == depth && reader.TokenType != JsonTokenType.StartArray)
            {
                break;
            }

            reader.Read();
        }

        return BytesElements.Pack([.. values]);
    }

    // The strings that stand for the floats JSON cannot write.
    private static double? Named(string? text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" or "inf" => double.PositiveInfinity,
        "-Infinity" or "-inf" => double.NegativeInfinity,
        _ => null,
    };

    private static bool Write(Span<byte> slot, byte value)
    {
        slot[0] = value;
        return true;
    }

    private static bool Write(Span<byte> slot, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(slot, value);
        return true;
    }

    private static bool Write(Span<byte> slot, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(slot, value);
        return true;
    }

    private static bool Write(Span<byte> slot, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(slot, value);
        return true;
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static string Describe(JsonElement element) => JsonFields.Snippet(element);
}
