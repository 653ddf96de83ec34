namespace GrainServe.Models;

/// <summary>
/// A model as found in the repository: its folder, its configuration as written (not yet completed
/// from the ONNX file) and the version folders that hold a model file.
/// </summary>
public sealed class ModelDefinition
{
    /// <summary>Creates a definition.</summary>
    public ModelDefinition(string name, string directory, ModelConfig config, string? configError, IReadOnlyList<long> versions)
    {
        Name = name;
        Directory = directory;
        Config = config;
        ConfigError = configError;
        Versions = versions;
    }

    /// <summary>The model's name: its folder's name.</summary>
    public string Name { get; }

    /// <summary>The model's folder.</summary>
    public string Directory { get; }

    /// <summary>The configuration from config.json, or an empty one when the file is missing or broken.</summary>
    public ModelConfig Config { get; }

    /// <summary>Why config.json could not be used; null when it is fine or absent.</summary>
    public string? ConfigError { get; }

    /// <summary>The version numbers found, ascending.</summary>
    public IReadOnlyList<long> Versions { get; }

    /// <summary>The path of a version's model file.</summary>
    public string ModelPath(long version) =>
        Path.Combine(Directory, version.ToString(System.Globalization.CultureInfo.InvariantCulture), Config.DefaultModelFilename ?? ModelRepository.DefaultModelFilename);

    /// <summary>
    /// The bytes of a version's model file plus the external data beside it (<c>model.onnx.data</c>,
    /// <c>model.onnx_data</c>), symbolic links followed to their targets: what the version's files charge a CPU device.
    /// Throws <see cref="IOException"/> when a file or a link's target is missing.
    /// </summary>
    public long ModelBytes(long version) => ModelFiles.ChargedBytes(ModelPath(version));

    /// <summary>
    /// The versions the version policy serves, newest first. Default policy: the latest one.
    /// </summary>
    public IReadOnlyList<long> PolicyVersions()
    {
        var newestFirst = Versions.OrderByDescending(v => v).ToList();
        var policy = Config.VersionPolicy;
        if (policy?.All is not null)
        {
            return newestFirst;
        }

        if (policy?.Specific is { } specific)
        {
            return newestFirst.Where(v => specific.Versions.Contains(v)).ToList();
        }

        var count = Math.Max(1, policy?.Latest?.NumVersions ?? 1);
        return newestFirst.Take(count).ToList();
    }

    /// <summary>
    /// The versions to load, newest first: the version policy's, plus every version <paramref name="weights"/> names
    /// (the traffic split's, from config.json or set at run time), since a version with traffic (or kept warm at weight
    /// 0) must be loaded whatever the policy says.
    /// </summary>
    public IReadOnlyList<long> ServedVersions(IReadOnlyDictionary<string, int>? weights)
    {
        var served = PolicyVersions().ToHashSet();
        foreach (var name in weights?.Keys ?? [])
        {
            if (long.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && Versions.Contains(number))
            {
                served.Add(number);
            }
        }

        return served.OrderDescending().ToList();
    }
}
