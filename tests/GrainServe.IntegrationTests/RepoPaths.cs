namespace GrainServe;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding Orleans.sln, above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Orleans.sln not found above the test binaries");
    }
}
