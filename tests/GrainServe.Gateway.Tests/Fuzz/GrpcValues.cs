using System.Text;
using GrainServe.Gateway.Grpc.Protocol;

namespace GrainServe.Gateway.Fuzz;

/// <summary>The replacements gRPC mutations draw from.</summary>
internal static class GrpcValues
{
    public static readonly string[] Datatypes =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES", "", "int32", "FP8", "STRING", "\0"];

    public static readonly long[][] Shapes =
    [
        [], [0], [-1], [1], [1, 16], [16, 1], [2, 4], [1, 4], [2], [1, 0], [-1, 16], [long.MaxValue], [1L << 32, 1L << 32], [3037000500, 3037000500],
        [1, 2, 3, 4, 5, 6, 7, 8, 9], [int.MaxValue, 2], [long.MinValue],
    ];

    public static readonly byte[][] Raw =
    [
        [], [1], [0, 0, 0], new byte[64], [0xFF, 0xFF, 0xFF, 0xFF, (byte)'a'], [0xFF, 0xFF, 0xFF, 0x7F], [1, 0, 0, 0, 0xFF], [2, 0, 0, 0, 0xED, 0xA0],
        [0, 0, 0, 0], [.. BitConverter.GetBytes(float.NaN), .. BitConverter.GetBytes(float.PositiveInfinity), .. new byte[8]], new byte[16 * 4],
    ];

    public static readonly string[] Names = ["INPUT0", "INPUT1", "TEXT", "text_input", "sampling_parameters", "stream", "audio", "OUTPUT0", "", "\udcff", "x"];

    public static readonly string[] Models = ["simple", "add_sub", "identity_bytes", "tiny_llama", "no_such_model", "", "\ud800", "../simple", "broken"];

    public static readonly string[] Versions = ["", "1", "2", "0", "-1", "99999999999999999999", "x"];

    public static readonly (string Name, InferParameter Value)[] Parameters =
    [
        ("binary_data_size", new InferParameter { Int64Param = 16 }),
        ("binary_data_size", new InferParameter { Int64Param = -1 }),
        ("binary_data_size", new InferParameter { StringParam = "16" }),
        ("binary_data", new InferParameter { BoolParam = true }),
        ("max_tokens", new InferParameter { Int64Param = long.MaxValue }),
        ("max_tokens", new InferParameter { DoubleParam = double.NaN }),
        ("temperature", new InferParameter { DoubleParam = -1 }),
        ("temperature", new InferParameter { StringParam = "hot" }),
        ("timeout", new InferParameter { Int64Param = -5 }),
        ("timeout", new InferParameter { Uint64Param = ulong.MaxValue }),
        ("sequence_id", new InferParameter { Uint64Param = ulong.MaxValue }),
        ("language", new InferParameter { StringParam = "\udcff" }),
        ("response_format", new InferParameter { StringParam = "nope" }),
        ("classification", new InferParameter { Int64Param = 3 }),
        ("", new InferParameter()),
        ("\ud800", new InferParameter { BoolParam = false }),
    ];

    /// <summary>Valid sampling parameters for generation, as Triton's vLLM backend takes them.</summary>
    public static readonly string Sampling = """{"max_tokens":3,"temperature":0,"top_p":0.9,"stop":["x"],"seed":1}""";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
