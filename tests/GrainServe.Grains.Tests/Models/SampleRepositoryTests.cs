using GrainServe.ModelBuilder;

namespace GrainServe.Models;

public sealed class SampleRepositoryTests
{
    [Fact]
    public void CommittedSampleRepository_MatchesTheBuilder()
    {
        // The repo ships models/ so that a fresh clone serves without a build step; it must stay what the
        // builder writes (regenerate with: dotnet run --project tools/GrainServe.ModelBuilder -- models).
        var root = Path.Combine(FindRepoRoot(), "models");
        foreach (var (path, content) in SampleRepository.Files())
        {
            var file = Path.Combine(root, path);
            Assert.True(File.Exists(file), $"{path} is missing from models/");
            Assert.True(content.AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"{path} differs from what the builder writes");
        }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Orleans.sln not found above the test binaries");
    }
}
