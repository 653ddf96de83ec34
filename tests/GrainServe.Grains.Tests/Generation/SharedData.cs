namespace GrainServe.Generation;

/// <summary>
/// The project's shared test data (<c>../shared/data</c> beside the repository root, see its SOURCES.md), read in
/// place. Tests that need it return early with a message where it is absent.
/// </summary>
internal static class SharedData
{
    public static string? Folder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
            {
                var folder = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", name));
                if (Directory.Exists(folder))
                {
                    return folder;
                }

                Console.WriteLine($"skipped: the shared test data {folder} is absent");
                return null;
            }
        }

        Console.WriteLine("skipped: the repository root (Directory.Packages.props) was not found above the test binaries");
        return null;
    }
}
