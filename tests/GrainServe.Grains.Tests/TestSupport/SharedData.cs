namespace GrainServe.TestSupport;

/// <summary>
/// The data files of <c>../shared/data/</c> beside the repository (see SOURCES.md there): read in place, never copied
/// into the project. Machines without them skip the tests that need them: xunit 2 has no dynamic skip, so such a
/// test returns early after saying why on the console.
/// </summary>
internal static class SharedData
{
    /// <summary>The shared data folder <paramref name="name"/>, or null (with a console message) when it is absent.</summary>
    public static string? Folder(string name, string test = "this test")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
            {
                var folder = Path.Combine(dir.FullName, "..", "shared", "data", name);
                if (Directory.Exists(folder))
                {
                    return Path.GetFullPath(folder);
                }

                break;
            }
        }

        Console.WriteLine($"SKIPPED {test}: the shared data folder '{name}' (../shared/data/{name} beside the repository) is absent");
        return null;
    }
}
