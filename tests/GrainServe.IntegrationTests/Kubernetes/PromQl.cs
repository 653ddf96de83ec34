using System.Text.RegularExpressions;

namespace GrainServe.Kubernetes;

/// <summary>
/// The metric names a PromQL expression reads, found the way a reader finds them: once strings, label matchers,
/// ranges and grouping label lists are taken out, every identifier that is not a function call or a keyword is a
/// metric. Enough for alert rules and dashboards; not a PromQL parser.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords =
        ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"];

    /// <summary>The distinct metric names of <paramref name="expression"/>, in order of appearance.</summary>
    public static IReadOnlyList<string> MetricNames(string expression)
    {
        var text = Strings().Replace(expression, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        return Identifiers().Matches(text)
            .Where(m => !Keywords.Contains(m.Value.ToLowerInvariant()) && !Call().IsMatch(text[(m.Index + m.Length)..]))
            .Select(m => m.Value)
            .Distinct()
            .ToList();
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    // Not after a word character, '.', ':' or '$': leaves out the "e3" of 1e3, the "x1F" of 0x1F and Grafana's $variables.
    [GeneratedRegex(@"(?<![\w.:$])[A-Za-z_:][\w:]*")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^\s*\(")]
    private static partial Regex Call();
}
