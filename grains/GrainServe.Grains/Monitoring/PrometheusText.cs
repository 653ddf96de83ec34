using System.Globalization;
using System.Text;

namespace GrainServe.Monitoring;

/// <summary>Small pieces of the Prometheus text format (version 0.0.4) that the hand-written families share.</summary>
public static class PrometheusText
{
    /// <summary>Writes the <c># HELP</c> and <c># TYPE</c> lines of a family.</summary>
    public static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    /// <summary>Writes one sample; <paramref name="labels"/> is the label list without braces.</summary>
    public static void Sample(StringBuilder text, string name, string labels, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {Format(value)}\n");

    /// <summary>A label pair, its value escaped.</summary>
    public static string Label(string name, string value) => $"{name}=\"{Escape(value)}\"";

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A sample value as Prometheus reads it: invariant culture, shortest round-trip form.</summary>
    public static string Format(double value) => double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);
}
