using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// The manifests of k8s/ as YAML trees rather than typed objects, so that schema checks see every field exactly as
/// written (a typed parse drops or renames what it does not know).
/// </summary>
internal static class Manifests
{
    /// <summary>The k8s/ folder of the checkout.</summary>
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "k8s");

    /// <summary>Every manifest under k8s/ (kustomizations are not), relative to it with '/' separators.</summary>
    public static IReadOnlyList<string> Files() =>
        Directory.GetFiles(Folder, "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Select(f => Path.GetRelativePath(Folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The documents of one file under k8s/.</summary>
    public static IReadOnlyList<YamlMappingNode> Documents(string file) => Parse(File.ReadAllText(Path.Combine(Folder, file)));

    /// <summary>The documents of a YAML text; a document of comments only has no mapping and is left out.</summary>
    public static IReadOnlyList<YamlMappingNode> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    /// <summary>The node at a path of mapping keys, or null where one is missing.</summary>
    public static YamlNode? Get(YamlNode node, params string[] keys)
    {
        var current = (YamlNode?)node;
        foreach (var key in keys)
        {
            current = current is YamlMappingNode mapping ? Child(mapping, key) : null;
        }

        return current;
    }

    /// <summary>
    /// The value of a key, compared as text: YamlDotNet's node equality also compares tags, so a quoted key would
    /// not find its plain twin.
    /// </summary>
    public static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode k && k.Value == key).Value;

    /// <summary>The scalar at a path of mapping keys, or null.</summary>
    public static string? Scalar(YamlNode node, params string[] keys) => (Get(node, keys) as YamlScalarNode)?.Value;

    /// <summary>The items of the sequence at a path of mapping keys; none where it is missing.</summary>
    public static IReadOnlyList<YamlNode> Items(YamlNode node, params string[] keys) =>
        Get(node, keys) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    /// <summary>The string map at a path of mapping keys (labels, selectors); empty where it is missing.</summary>
    public static Dictionary<string, string> Map(YamlNode node, params string[] keys) =>
        Get(node, keys) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? "")
            : [];

    /// <summary>A node written back as YAML, for KubernetesClient's typed parse of a part of a custom resource.</summary>
    public static string ToYaml(YamlNode node)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
