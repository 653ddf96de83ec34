namespace GrainServe.Bench;

/// <summary>A model repository in a temporary folder, written by a scenario and deleted with it.</summary>
internal sealed class BenchRepository : IDisposable
{
    /// <summary>The repository's folder.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "grainserve-bench", Guid.NewGuid().ToString("N"));

    /// <summary>Writes model <paramref name="name"/> version 1 with its ONNX bytes and config.json.</summary>
    public void Write(string name, byte[] model, string config)
    {
        Directory.CreateDirectory(Path.Combine(Root, name, "1"));
        File.WriteAllBytes(Path.Combine(Root, name, "1", "model.onnx"), model);
        File.WriteAllText(Path.Combine(Root, name, "config.json"), config);
    }

    /// <summary>Writes model <paramref name="name"/> version 1 with several files (an encoder-decoder folder) and config.json.</summary>
    public void Write(string name, IEnumerable<(string Name, byte[] Content)> files, string config)
    {
        Directory.CreateDirectory(Path.Combine(Root, name, "1"));
        foreach (var (file, content) in files)
        {
            File.WriteAllBytes(Path.Combine(Root, name, "1", file), content);
        }

        File.WriteAllText(Path.Combine(Root, name, "config.json"), config);
    }

    /// <summary>Adds model <paramref name="name"/> version 1 as links to <paramref name="files"/> of another version folder (no copy of a large model).</summary>
    public void Link(string name, string versionFolder, IEnumerable<string> files, string config)
    {
        Directory.CreateDirectory(Path.Combine(Root, name, "1"));
        foreach (var file in files)
        {
            File.CreateSymbolicLink(Path.Combine(Root, name, "1", file), Path.Combine(versionFolder, file));
        }

        File.WriteAllText(Path.Combine(Root, name, "config.json"), config);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
