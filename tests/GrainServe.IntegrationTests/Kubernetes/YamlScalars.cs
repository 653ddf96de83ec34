using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// The JSON type kubectl gives a YAML scalar before the API server validates it. kubectl converts YAML to JSON with
/// sigs.k8s.io/yaml, which resolves plain scalars by go-yaml v2's YAML 1.1 rules: <c>yes</c>, <c>on</c> and <c>n</c> are
/// booleans there, <c>0x1F</c> and <c>010</c> integers. A quoted or block scalar is always a string.
/// </summary>
internal static partial class YamlScalars
{
    private static readonly HashSet<string> Booleans =
        ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
         "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];

    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];

    /// <summary>One of <c>null</c>, <c>boolean</c>, <c>integer</c>, <c>number</c> or <c>string</c>.</summary>
    public static string TypeOf(YamlScalarNode scalar)
    {
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            return scalar.Tag.Value switch
            {
                "tag:yaml.org,2002:null" => "null",
                "tag:yaml.org,2002:bool" => "boolean",
                "tag:yaml.org,2002:int" => "integer",
                "tag:yaml.org,2002:float" => "number",
                _ => "string",
            };
        }

        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return "string";
        }

        var value = scalar.Value ?? "";
        return Nulls.Contains(value) ? "null"
            : Booleans.Contains(value) ? "boolean"
            : Integer().IsMatch(value) ? "integer"
            : Float().IsMatch(value) ? "number"
            : "string";
    }

    /// <summary>A value's JSON type: <c>object</c> and <c>array</c> for collections, else its scalar's.</summary>
    public static string TypeOf(YamlNode node) => node switch
    {
        YamlMappingNode => "object",
        YamlSequenceNode => "array",
        YamlScalarNode scalar => TypeOf(scalar),
        _ => "alias",
    };

    [GeneratedRegex(@"^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]*|[1-9][0-9_]*)$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex Float();
}
