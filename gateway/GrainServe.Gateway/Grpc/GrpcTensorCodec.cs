using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Grpc.Protocol;

namespace GrainServe.Gateway.Grpc;

/// <summary>
/// Converts the gRPC protocol's typed <c>InferTensorContents</c> to and from the binary layout of
/// <see cref="InferTensor"/>. Raw contents already have that layout and pass through as they are.
/// </summary>
internal static class GrpcTensorCodec
{
    /// <summary>True when the datatype has a typed contents field (FP16 and BF16 travel only as raw bytes).</summary>
    public static bool HasTypedContents(string datatype) => datatype is not (InferDatatype.Fp16 or InferDatatype.Bf16);

    /// <summary>Decodes typed contents; throws InvalidInput for a value out of the datatype's range or a missing field.</summary>
    public static byte[] Decode(string name, string datatype, InferTensorContents? contents)
    {
        contents ??= new InferTensorContents();
        switch (datatype)
        {
            case InferDatatype.Bool:
                return contents.BoolContents.Select(b => b ? (byte)1 : (byte)0).ToArray();
            case InferDatatype.Int8:
                return Narrow(name, datatype, contents.IntContents, sbyte.MinValue, sbyte.MaxValue, (v, s) => s[0] = (byte)(sbyte)v, 1);
            case InferDatatype.Int16:
                return Narrow(name, datatype, contents.IntContents, short.MinValue, short.MaxValue, (v, s) => BinaryPrimitives.WriteInt16LittleEndian(s, (short)v), 2);
            case InferDatatype.Int32:
                return Pack(contents.IntContents);
            case InferDatatype.Int64:
                return Pack(contents.Int64Contents);
            case InferDatatype.UInt8:
                return Narrow(name, datatype, contents.UintContents.Select(v => (long)v).ToList(), byte.MinValue, byte.MaxValue, (v, s) => s[0] = (byte)v, 1);
            case InferDatatype.UInt16:
                return Narrow(name, datatype, contents.UintContents.Select(v => (long)v).ToList(), ushort.MinValue, ushort.MaxValue, (v, s) => BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v), 2);
            case InferDatatype.UInt32:
                return Pack(contents.UintContents);
            case InferDatatype.UInt64:
                return Pack(contents.Uint64Contents);
            case InferDatatype.Fp32:
                return Pack(contents.Fp32Contents);
            case InferDatatype.Fp64:
                return Pack(contents.Fp64Contents);
            case InferDatatype.Bytes:
                return JoinBytes(contents.BytesContents);
            default:
                throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' is {datatype}, which has no typed contents field; send it in raw_input_contents");
        }
    }

    /// <summary>Encodes a tensor's bytes as typed contents; only for datatypes where <see cref="HasTypedContents"/> is true.</summary>
    public static InferTensorContents Encode(InferTensor tensor)
    {
        var contents = new InferTensorContents();
        var data = tensor.Data.AsSpan();
        switch (tensor.Datatype)
        {
            case InferDatatype.Bool:
                foreach (var b in data) { contents.BoolContents.Add(b != 0); }
                break;
            case InferDatatype.Int8:
                foreach (var b in data) { contents.IntContents.Add((sbyte)b); }
                break;
            case InferDatatype.Int16:
                foreach (var v in MemoryMarshal.Cast<byte, short>(data)) { contents.IntContents.Add(v); }
                break;
            case InferDatatype.Int32:
                Unpack(MemoryMarshal.Cast<byte, int>(data), contents.IntContents);
                break;
            case InferDatatype.Int64:
                Unpack(MemoryMarshal.Cast<byte, long>(data), contents.Int64Contents);
                break;
            case InferDatatype.UInt8:
                foreach (var b in data) { contents.UintContents.Add(b); }
                break;
            case InferDatatype.UInt16:
                foreach (var v in MemoryMarshal.Cast<byte, ushort>(data)) { contents.UintContents.Add(v); }
                break;
            case InferDatatype.UInt32:
                Unpack(MemoryMarshal.Cast<byte, uint>(data), contents.UintContents);
                break;
            case InferDatatype.UInt64:
                Unpack(MemoryMarshal.Cast<byte, ulong>(data), contents.Uint64Contents);
                break;
            case InferDatatype.Fp32:
                Unpack(MemoryMarshal.Cast<byte, float>(data), contents.Fp32Contents);
                break;
            case InferDatatype.Fp64:
                Unpack(MemoryMarshal.Cast<byte, double>(data), contents.Fp64Contents);
                break;
            case InferDatatype.Bytes:
                while (data.Length >= 4)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                    contents.BytesContents.Add(ByteString.CopyFrom(data.Slice(4, length)));
                    data = data[(4 + length)..];
                }

                break;
        }

        return contents;
    }

    // One copy: each element straight from the parsed field into the tensor's bytes.
    private static byte[] Pack<T>(RepeatedField<T> values)
        where T : unmanaged
    {
        var bytes = new byte[values.Count * Unsafe.SizeOf<T>()];
        var elements = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < elements.Length; i++)
        {
            elements[i] = values[i];
        }

        return bytes;
    }

    // One copy: each element straight from the tensor's bytes into the field, sized once.
    private static void Unpack<T>(ReadOnlySpan<T> elements, RepeatedField<T> into)
        where T : unmanaged
    {
        into.Capacity = elements.Length;
        foreach (var element in elements)
        {
            into.Add(element);
        }
    }

    private static byte[] Narrow(string name, string datatype, IList<long> values, long min, long max, SpanWriter write, int size)
    {
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] < min || values[i] > max)
            {
                throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' element {i} ({values[i]}) is not a valid {datatype} value");
            }

            write(values[i], bytes.AsSpan(i * size, size));
        }

        return bytes;
    }

    private static byte[] Narrow(string name, string datatype, IList<int> values, long min, long max, SpanWriter write, int size) =>
        Narrow(name, datatype, values.Select(v => (long)v).ToList(), min, max, write, size);

    private static byte[] JoinBytes(IList<ByteString> elements) => BytesElements.Pack(elements.Select(e => e.ToByteArray()).ToList());

    private delegate void SpanWriter(long value, Span<byte> slot);
}
