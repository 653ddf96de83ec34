using GrainServe.ModelBuilder;
using GrainServe.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainServe.TestSupport;

/// <summary>A model repository in a temporary folder, deleted on dispose.</summary>
internal sealed class TempRepository : IDisposable
{
    public TempRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public ModelRepository Reader => new(Options.Create(new ModelRepositoryOptions { Path = Root }), NullLogger<ModelRepository>.Instance);

    public TempRepository WithSamples()
    {
        SampleRepository.Write(Root);
        return this;
    }

    public TempRepository Model(string name, int version, byte[] onnx, string? config = null)
    {
        var dir = Path.Combine(Root, name, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllBytes(Path.Combine(dir, "model.onnx"), onnx);
        if (config is not null)
        {
            System.IO.File.WriteAllText(Path.Combine(Root, name, "config.json"), config);
        }

        return this;
    }

    public TempRepository File(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A session may still hold a file on some systems; the temp folder is cleaned up eventually.
        }
    }
}
