using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// A CustomResourceDefinition as the API server uses it to check a custom resource: its group, its kind, and the
/// <c>openAPIV3Schema</c> of each version it serves.
/// </summary>
public sealed class CustomResourceSchema
{
    private readonly IReadOnlyDictionary<string, YamlMappingNode> _served;

    private CustomResourceSchema(string group, string kind, IReadOnlyDictionary<string, YamlMappingNode> served)
    {
        Group = group;
        Kind = kind;
        _served = served;
    }

    /// <summary>The API group, as <c>serving.kserve.io</c>.</summary>
    public string Group { get; }

    /// <summary>The kind, as <c>InferenceService</c>.</summary>
    public string Kind { get; }

    /// <summary>Reads a CRD file (one CustomResourceDefinition, as controller-gen writes them).</summary>
    public static CustomResourceSchema Load(string path)
    {
        var crd = Manifests.Parse(File.ReadAllText(path)).Single();
        var served = Manifests.Items(crd, "spec", "versions")
            .Where(v => Manifests.Scalar(v, "served") == "true")
            .ToDictionary(
                v => Manifests.Scalar(v, "name")!,
                v => Manifests.Get(v, "schema", "openAPIV3Schema") as YamlMappingNode
                    ?? throw new InvalidDataException($"{path}: version {Manifests.Scalar(v, "name")} has no openAPIV3Schema"));
        return new CustomResourceSchema(Manifests.Scalar(crd, "spec", "group")!, Manifests.Scalar(crd, "spec", "names", "kind")!, served);
    }

    /// <summary>The first field of <paramref name="manifest"/> that the served version it names refuses, or null.</summary>
    public SchemaViolation? Validate(YamlMappingNode manifest)
    {
        var apiVersion = Manifests.Scalar(manifest, "apiVersion") ?? "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var version = slash < 0 ? "" : apiVersion[(slash + 1)..];
        if (slash < 0 || apiVersion[..slash] != Group || !_served.TryGetValue(version, out var schema))
        {
            return new SchemaViolation("apiVersion", manifest.Start.Line, $"'{apiVersion}' is not served; the CRD serves {string.Join(", ", _served.Keys.Select(v => $"{Group}/{v}"))}");
        }

        return Manifests.Scalar(manifest, "kind") != Kind
            ? new SchemaViolation("kind", manifest.Start.Line, $"must be {Kind}")
            : StructuralSchemaValidator.Validate(schema, manifest);
    }
}
