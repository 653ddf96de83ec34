using GrainServe.Batching;
using GrainServe.Generation;
using GrainServe.ModelBuilder;
using GrainServe.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrainServe.Models;

public sealed class ModelFilesTests
{
    private const long Weights = 3L << 20;

    [Fact]
    public void ModelBytes_ModelFileIsASymlink_ChargesItsTarget()
    {
        using var repo = new TempRepository();
        var target = Blob(repo, "blobs/sha256-1", Weights);
        Link(repo, "linked/1/model.onnx", target);

        var model = repo.Reader.Find("linked")!;

        Assert.Equal([1L], model.Versions);
        Assert.True(new FileInfo(model.ModelPath(1)).Length < 1024, "the link itself is a path, not the weights");
        Assert.Equal(Weights, model.ModelBytes(1));
    }

    [Fact]
    public void ModelBytes_ChainOfLinks_ChargesTheFinalTarget()
    {
        using var repo = new TempRepository();
        var target = Blob(repo, "blobs/weights", Weights);
        var middle = Link(repo, "snapshots/main/model.onnx", target);
        Link(repo, "chained/1/model.onnx", middle);

        Assert.Equal(Weights, repo.Reader.Find("chained")!.ModelBytes(1));
    }

    [Fact]
    public void ModelBytes_VersionFolderIsASymlink_ChargesTheFile()
    {
        // Kubernetes mounts a ConfigMap or volume as a link to a timestamped folder.
        using var repo = new TempRepository();
        Blob(repo, "..2026_01_01/model.onnx", Weights);
        Directory.CreateDirectory(Path.Combine(repo.Root, "mounted"));
        Directory.CreateSymbolicLink(Path.Combine(repo.Root, "mounted", "1"), Path.Combine(repo.Root, "..2026_01_01"));

        Assert.Equal(Weights, repo.Reader.Find("mounted")!.ModelBytes(1));
    }

    [Theory]
    [InlineData("model.onnx.data")]
    [InlineData("model.onnx_data")]
    public void ModelBytes_ExternalDataBesideTheModel_ChargesBothThroughTheirLinks(string dataName)
    {
        using var repo = new TempRepository().Model("external", 1, SampleModels.Scale(2, 1));
        var data = Blob(repo, "blobs/data", Weights);
        Link(repo, $"external/1/{dataName}", data);
        var model = repo.Reader.Find("external")!;

        Assert.Equal(new FileInfo(model.ModelPath(1)).Length + Weights, model.ModelBytes(1));
    }

    [Fact]
    public void ModelBytes_LinkToAMissingFile_ThrowsWithThePath()
    {
        using var repo = new TempRepository();
        var target = Blob(repo, "blobs/gone", Weights);
        Link(repo, "dangling/1/model.onnx", target);
        var model = repo.Reader.Find("dangling")!;
        File.Delete(target);

        var error = Assert.ThrowsAny<IOException>(() => model.ModelBytes(1));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void EstimateBytes_EveryProviderOfASymlinkedModel_ChargesTheTarget()
    {
        using var repo = new TempRepository();
        Link(repo, "linked/1/model.onnx", Blob(repo, "blobs/w", Weights));
        var model = repo.Reader.Find("linked")!;
        var batched = new BatchedModelProvider(null!, TimeProvider.System, NullLogger<BatchQueue>.Instance);
        var generation = new TextGenerationProvider(null!, TimeProvider.System, NullLogger<TextGenerationProvider>.Instance);

        Assert.Equal(Weights, batched.EstimateBytes(model, 1));
        Assert.Equal(Weights + TextGenerationSettings.FromConfig("linked", model.Config).Engine.KvCacheBytes, generation.EstimateBytes(model, 1));
    }

    // A sparse file: its length, without the disk or the time to write it.
    private static string Blob(TempRepository repo, string relativePath, long length)
    {
        var path = Path.Combine(repo.Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new FileStream(path, FileMode.Create);
        file.SetLength(length);
        return path;
    }

    private static string Link(TempRepository repo, string relativePath, string target)
    {
        var path = Path.Combine(repo.Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
        return path;
    }
}
