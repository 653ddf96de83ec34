namespace GrainServe.Contracts;

/// <summary>
/// The Open Inference Protocol tensor datatypes and facts about them.
/// </summary>
public static class InferDatatype
{
    /// <summary>Boolean, one byte per element (0 or 1).</summary>
    public const string Bool = "BOOL";
    /// <summary>Unsigned 8-bit integer.</summary>
    public const string UInt8 = "UINT8";
    /// <summary>Unsigned 16-bit integer.</summary>
    public const string UInt16 = "UINT16";
    /// <summary>Unsigned 32-bit integer.</summary>
    public const string UInt32 = "UINT32";
    /// <summary>Unsigned 64-bit integer.</summary>
    public const string UInt64 = "UINT64";
    /// <summary>Signed 8-bit integer.</summary>
    public const string Int8 = "INT8";
    /// <summary>Signed 16-bit integer.</summary>
    public const string Int16 = "INT16";
    /// <summary>Signed 32-bit integer.</summary>
    public const string Int32 = "INT32";
    /// <summary>Signed 64-bit integer.</summary>
    public const string Int64 = "INT64";
    /// <summary>IEEE 754 half precision.</summary>
    public const string Fp16 = "FP16";
    /// <summary>bfloat16: the upper 16 bits of an IEEE 754 single.</summary>
    public const string Bf16 = "BF16";
    /// <summary>IEEE 754 single precision.</summary>
    public const string Fp32 = "FP32";
    /// <summary>IEEE 754 double precision.</summary>
    public const string Fp64 = "FP64";
    /// <summary>Variable-length byte strings; in binary form each element is preceded by its 4-byte little-endian length.</summary>
    public const string Bytes = "BYTES";

    /// <summary>Every datatype, in the order the protocol lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Fp32, Fp64, Bytes, Bf16];

    /// <summary>
    /// The size in bytes of one element, or 0 for <see cref="Bytes"/> (variable) and -1 for an unknown datatype.
    /// </summary>
    public static int ElementSize(string datatype) => datatype switch
    {
        Bool or UInt8 or Int8 => 1,
        UInt16 or Int16 or Fp16 or Bf16 => 2,
        UInt32 or Int32 or Fp32 => 4,
        UInt64 or Int64 or Fp64 => 8,
        Bytes => 0,
        _ => -1,
    };

    /// <summary>True when <paramref name="datatype"/> is one of the protocol's datatypes.</summary>
    public static bool IsKnown(string datatype) => ElementSize(datatype) >= 0;

    /// <summary>
    /// The number of elements that <paramref name="shape"/> holds, or -1 when a dimension is negative
    /// or the product does not fit in a <see cref="long"/>.
    /// </summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                return -1;
            }
        }

        return count;
    }
}
