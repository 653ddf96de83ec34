using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace GrainServe.TestSupport;

/// <summary>Reads little-endian float32, C-ordered arrays from a NumPy .npz (a zip of .npy files): enough for reference data.</summary>
internal static partial class Npy
{
    public static (float[] Values, int[] Shape) ReadFloat32(string npzPath, string arrayName)
    {
        using var zip = ZipFile.OpenRead(npzPath);
        var entry = zip.GetEntry(arrayName + ".npy") ?? throw new InvalidDataException($"{npzPath} has no {arrayName}.npy");
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();

        if (bytes[0] != 0x93 || !bytes.AsSpan(1, 5).SequenceEqual("NUMPY"u8))
        {
            throw new InvalidDataException($"{arrayName}.npy is not a .npy file");
        }

        // Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one.
        var (headerLength, headerStart) = bytes[6] == 1
            ? (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10)
            : ((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), 12);
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        Assert.Contains("'fortran_order': False", header);
        var shape = ShapeOf().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse)
            .ToArray();
        var data = bytes.AsSpan(headerStart + headerLength);
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
        }

        return (values, shape);
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapeOf();
}
