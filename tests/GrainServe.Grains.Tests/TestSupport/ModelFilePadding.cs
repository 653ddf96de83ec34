namespace GrainServe.TestSupport;

/// <summary>Makes a model file as large as a test needs without writing its bytes.</summary>
public static class ModelFilePadding
{
    /// <summary>
    /// Grows the file by <paramref name="padding"/> bytes with one unknown length-delimited field (number 1000), which
    /// protobuf readers skip, so it stays a valid model. The field's zeros are a sparse hole: no disk and no time to write.
    /// </summary>
    public static void Pad(string path, long padding)
    {
        using var file = new FileStream(path, FileMode.Append);
        WriteVarint(file, (1000 << 3) | 2);
        WriteVarint(file, padding);
        file.SetLength(file.Length + padding);
    }

    private static void WriteVarint(Stream stream, long value)
    {
        for (; value >= 0x80; value >>= 7)
        {
            stream.WriteByte((byte)(value | 0x80));
        }

        stream.WriteByte((byte)value);
    }
}
