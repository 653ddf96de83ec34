using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// Applies the structural mutations to a JSON body. A replaced value is written as a marker string first and swapped
/// for its raw text after serializing, so that what no serializer would write (a lone surrogate escape, a duplicate key,
/// nesting past any depth limit) reaches the server byte for byte.
/// </summary>
internal static class JsonMutator
{
    private const string Marker = "@@fuzz";

    public static byte[] Apply(byte[] body, IEnumerable<Mutation<MutationKind>> structural)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return body;
        }

        var raw = new List<string>();
        foreach (var mutation in structural)
        {
            root = Mutate(root, mutation, raw);
        }

        var text = root?.ToJsonString() ?? "null";
        for (var i = raw.Count - 1; i >= 0; i--)
        {
            text = text.Replace($"\"{Marker}{i}@@\"", raw[i], StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private static JsonNode? Mutate(JsonNode? root, Mutation<MutationKind> mutation, List<string> raw)
    {
        var nodes = new List<JsonNode?>();
        Collect(root, nodes);
        var node = nodes[mutation.Where % nodes.Count];
        var parent = node?.Parent;
        switch (mutation.Kind)
        {
            case MutationKind.ReplaceValue:
                return Replace(root, node, Raw(raw, FuzzValues.Json[mutation.What % FuzzValues.Json.Length]));
            case MutationKind.RenameProperty when parent is JsonObject owner:
                {
                    var name = node!.GetPropertyName();
                    var index = owner.IndexOf(name);
                    owner.RemoveAt(index);
                    owner.Insert(index, MarkerName(raw, FuzzValues.Names[mutation.What % FuzzValues.Names.Length]), node);
                    return root;
                }

            case MutationKind.Duplicate when parent is JsonObject owner:
                owner.Add(MarkerName(raw, JsonSerializer.Serialize(node!.GetPropertyName())), node!.DeepClone());
                return root;
            case MutationKind.Duplicate when parent is JsonArray array:
                array.Add(node?.DeepClone());
                return root;
            case MutationKind.Remove when parent is JsonObject owner:
                owner.Remove(node!.GetPropertyName());
                return root;
            case MutationKind.Remove when parent is JsonArray array:
                array.RemoveAt(node!.GetElementIndex());
                return root;
            case MutationKind.NumberAsString when node is JsonValue value && value.GetValueKind() == JsonValueKind.Number:
                return Replace(root, node, JsonValue.Create(value.ToJsonString()));
            case MutationKind.NumberAsString when node is JsonValue value && value.TryGetValue<string>(out var text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _):
                return Replace(root, node, Raw(raw, text));
            case MutationKind.Wrap:
                return Replace(root, node, new JsonArray(node?.DeepClone()));
            default:
                return root;
        }
    }

    private static JsonNode? Replace(JsonNode? root, JsonNode? node, JsonNode? replacement)
    {
        switch (node?.Parent)
        {
            case null:
                return replacement;
            case JsonObject owner:
                owner[node.GetPropertyName()] = replacement;
                return root;
            case JsonArray array:
                array[node.GetElementIndex()] = replacement;
                return root;
            default:
                return root;
        }
    }

    private static JsonValue Raw(List<string> raw, string text) => JsonValue.Create(MarkerName(raw, text));

    private static string MarkerName(List<string> raw, string text)
    {
        raw.Add(text);
        return $"{Marker}{raw.Count - 1}@@";
    }

    private static void Collect(JsonNode? node, List<JsonNode?> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Collect(child, nodes);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, nodes);
                }

                break;
        }
    }
}
