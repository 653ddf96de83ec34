using System.Text;

namespace GrainServe.Generation;

/// <summary>
/// Looks for an operator's name in an ONNX file's bytes. ONNX Runtime's API shows a model's inputs and outputs, not its
/// nodes, and some layouts depend on a node: onnxruntime-genai's fused <c>GroupQueryAttention</c> reads the past as
/// right-padded. A node's <c>op_type</c> is stored as plain UTF-8, and a serialized graph lists its nodes before its
/// initializers, so the scan stops after the first <see cref="DefaultLimitBytes"/> (external-data exports keep the
/// weights out of the file altogether).
/// </summary>
internal static class OnnxGraphScan
{
    /// <summary>How far into the file the scan looks: far past the node list of any decoder graph.</summary>
    public const long DefaultLimitBytes = 256L << 20;

    /// <summary>Whether <paramref name="modelPath"/>'s first <paramref name="limitBytes"/> hold the UTF-8 bytes of <paramref name="name"/>.</summary>
    public static bool Mentions(string modelPath, string name, long limitBytes = DefaultLimitBytes)
    {
        var needle = Encoding.UTF8.GetBytes(name);
        var buffer = new byte[(1 << 20) + needle.Length];
        using var file = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var carried = 0;
        long read = 0;
        while (read < limitBytes)
        {
            var count = file.Read(buffer, carried, buffer.Length - carried);
            if (count == 0)
            {
                return false;
            }

            read += count;
            var filled = carried + count;
            if (buffer.AsSpan(0, filled).IndexOf(needle) >= 0)
            {
                return true;
            }

            // Keep the tail, so a name split across two reads is still found.
            carried = Math.Min(needle.Length - 1, filled);
            buffer.AsSpan(filled - carried, carried).CopyTo(buffer);
        }

        return false;
    }
}
