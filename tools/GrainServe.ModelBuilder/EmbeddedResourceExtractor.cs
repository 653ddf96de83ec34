using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace GrainServe.ModelBuilder;

/// <summary>
/// Copies a manifest resource out of a .NET assembly without loading it: the SentenceTransformers packages ship
/// their ONNX models and vocabularies this way, and no model may be downloaded at run time.
/// </summary>
public static class EmbeddedResourceExtractor
{
    /// <summary>Writes resource <paramref name="resourceName"/> of <paramref name="assemblyPath"/> to <paramref name="destination"/>.</summary>
    public static void Extract(string assemblyPath, string resourceName, string destination)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidOperationException($"{assemblyPath} is not a .NET assembly");
        var names = new List<string>();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            names.Add(name);
            if (name != resourceName || !resource.Implementation.IsNil)
            {
                continue;
            }

            // Embedded resources sit in the resources directory, each as a 4-byte length and the bytes.
            var section = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            var temporary = destination + ".partial";
            using (var output = File.Create(temporary))
            {
                unsafe
                {
                    output.Write(new ReadOnlySpan<byte>(reader.CurrentPointer, length));
                }
            }

            File.Move(temporary, destination, overwrite: true);
            return;
        }

        throw new InvalidOperationException($"{assemblyPath} has no embedded resource '{resourceName}'; it has {string.Join(", ", names)}");
    }
}
