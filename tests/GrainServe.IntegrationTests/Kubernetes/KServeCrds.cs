using System.Collections.Concurrent;

namespace GrainServe.Kubernetes;

/// <summary>
/// KServe's published CRDs in <c>../shared/data/kserve</c> beside the checkout (see SOURCES.md there), read in place.
/// Where they are absent the tests that need them pass after saying so on the console: xunit 2 has no dynamic skip.
/// </summary>
internal static class KServeCrds
{
    private static readonly string Folder = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "data", "kserve"));

    // The InferenceService CRD is 2 MB of YAML: read each once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<CustomResourceSchema>> Loaded = new();

    /// <summary>The CRD of a KServe kind, or null (with a console message naming the test) when the folder is absent.</summary>
    public static CustomResourceSchema? For(string kind, string test)
    {
        if (!Directory.Exists(Folder))
        {
            Console.WriteLine($"SKIPPED {test}: KServe's CRDs ({Folder}, see ../shared/data/SOURCES.md) are absent, so nothing was checked against them");
            return null;
        }

        // controller-gen names each file group_plural, and KServe's plurals are the lowercased kind plus "s".
        var file = Path.Combine(Folder, $"serving.kserve.io_{kind.ToLowerInvariant()}s.yaml");
        var schema = Loaded.GetOrAdd(file, f => new Lazy<CustomResourceSchema>(() => CustomResourceSchema.Load(f))).Value;
        Assert.Equal(kind, schema.Kind);
        return schema;
    }
}
