using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// Checks a YAML value against an OpenAPI v3 structural schema, as the Kubernetes API server checks a custom resource
/// against its CRD's <c>openAPIV3Schema</c>: <c>type</c> (object, array, string, integer, number, boolean),
/// <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>, <c>enum</c>, <c>nullable</c>,
/// <c>x-kubernetes-int-or-string</c> and <c>x-kubernetes-preserve-unknown-fields</c>. A field the schema does not
/// name is an error: the server would prune it silently, or refuse it under kubectl's strict field validation.
/// Value constraints (<c>pattern</c>, <c>minimum</c>, lengths, formats, CEL rules) are left to the server.
/// </summary>
public static partial class StructuralSchemaValidator
{
    /// <summary>The first violation in document order, or null when the value fits the schema.</summary>
    public static SchemaViolation? Validate(YamlMappingNode schema, YamlNode value) => Check(schema, value, "");

    private static SchemaViolation? Check(YamlMappingNode schema, YamlNode value, string path)
    {
        var type = YamlScalars.TypeOf(value);
        if (type == "null")
        {
            // The server drops a null it may not keep, which hides a field left empty by mistake.
            return Flag(schema, "nullable") || Flag(schema, "x-kubernetes-preserve-unknown-fields")
                ? null
                : Violation(path, value, "is null, and the schema does not say nullable");
        }

        if (Flag(schema, "x-kubernetes-int-or-string"))
        {
            return type is "integer" or "string" ? null : Violation(path, value, $"must be an integer or a string, not {Describe(value)}");
        }

        var expected = Manifests.Scalar(schema, "type");
        var violation = expected switch
        {
            // No type: only x-kubernetes-preserve-unknown-fields allows that in a structural schema, and it means any value.
            null => null,
            "object" when value is YamlMappingNode mapping => CheckObject(schema, mapping, path),
            "array" when value is YamlSequenceNode sequence => CheckItems(schema, sequence, path),
            "number" when type is "integer" or "number" => null,
            _ when type == expected && expected is "string" or "integer" or "boolean" => null,
            _ => Violation(path, value, $"must be {Article(expected)} {expected}, not {Describe(value)}"),
        };
        return violation ?? CheckEnum(schema, value, path);
    }

    private static SchemaViolation? CheckObject(YamlMappingNode schema, YamlMappingNode value, string path)
    {
        var properties = Manifests.Get(schema, "properties") as YamlMappingNode;
        var additional = Manifests.Get(schema, "additionalProperties");
        // An object schema with neither is an embedded ObjectMeta in a CRD (metadata), which the server checks itself.
        var open = Flag(schema, "x-kubernetes-preserve-unknown-fields") || (properties is null && additional is null)
            || (additional is YamlScalarNode { Value: "true" });

        foreach (var (keyNode, child) in value.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var childPath = Join(path, key);
            var childSchema = (properties is not null ? Manifests.Child(properties, key) : additional) as YamlMappingNode;
            var violation = childSchema is not null ? Check(childSchema, child, childPath)
                : open ? null
                : Violation(childPath, keyNode, UnknownField(key, properties));
            if (violation is not null)
            {
                return violation;
            }
        }

        foreach (var required in Manifests.Items(schema, "required").OfType<YamlScalarNode>())
        {
            if (Manifests.Child(value, required.Value ?? "") is null)
            {
                return Violation(Join(path, required.Value ?? ""), value, "is required and missing");
            }
        }

        return null;
    }

    private static SchemaViolation? CheckItems(YamlMappingNode schema, YamlSequenceNode value, string path)
    {
        if (Manifests.Get(schema, "items") is not YamlMappingNode items)
        {
            return null;
        }

        for (var i = 0; i < value.Children.Count; i++)
        {
            if (Check(items, value.Children[i], $"{path}[{i}]") is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    private static SchemaViolation? CheckEnum(YamlMappingNode schema, YamlNode value, string path)
    {
        var allowed = Manifests.Items(schema, "enum").OfType<YamlScalarNode>().Select(s => s.Value).ToList();
        return allowed.Count == 0 || value is not YamlScalarNode scalar || allowed.Contains(scalar.Value)
            ? null
            : Violation(path, value, $"must be one of {string.Join(", ", allowed)}, not '{scalar.Value}'");
    }

    private static string UnknownField(string key, YamlMappingNode? properties)
    {
        var names = properties?.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").ToList() ?? [];
        var closest = names.MinBy(n => Distance(key.ToLowerInvariant(), n.ToLowerInvariant()));
        return closest is not null && Distance(key.ToLowerInvariant(), closest.ToLowerInvariant()) <= Math.Max(2, key.Length / 3)
            ? $"is not a field of this object (did you mean '{closest}'?)"
            : $"is not a field of this object, which has {string.Join(", ", names)}";
    }

    /// <summary>Levenshtein distance, for the did-you-mean hint.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static bool Flag(YamlMappingNode schema, string name) => Manifests.Scalar(schema, name) == "true";

    private static string Join(string path, string key) =>
        path.Length == 0 ? key : PlainKey().IsMatch(key) ? $"{path}.{key}" : $"{path}[\"{key}\"]";

    private static string Describe(YamlNode value) =>
        value is YamlScalarNode scalar ? $"{Article(YamlScalars.TypeOf(scalar))} {YamlScalars.TypeOf(scalar)} ('{scalar.Value}')" : $"{Article(YamlScalars.TypeOf(value))} {YamlScalars.TypeOf(value)}";

    private static string Article(string word) => "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static SchemaViolation Violation(string path, YamlNode node, string message) =>
        new(path.Length == 0 ? "(document)" : path, node.Start.Line, message);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex PlainKey();
}
