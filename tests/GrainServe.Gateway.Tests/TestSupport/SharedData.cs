namespace GrainServe.TestSupport;

/// <summary>
/// The real-format data files beside the checkout (<c>../shared/data</c>: vocabularies, random-weight exports). They are
/// never copied into the repository; tests that need them say so and pass without them.
/// </summary>
public static class SharedData
{
    /// <summary>The folder <c>../shared/data/{name}</c>, or null (with a message on the console) where it is absent.</summary>
    public static string? Folder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                var folder = Path.Combine(dir.FullName, "..", "shared", "data", name);
                if (Directory.Exists(folder))
                {
                    return Path.GetFullPath(folder);
                }

                break;
            }
        }

        Console.WriteLine($"SKIPPED: ../shared/data/{name} is not beside this checkout; the test that needs it passes without checking anything");
        return null;
    }
}
