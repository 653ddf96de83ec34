using System.Text.Json;
using System.Text.RegularExpressions;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// The <c>normalizer</c> of a Hugging Face tokenizer.json, applied to each run of text between added tokens before
/// the pre-tokenizer: <c>Sequence</c> of <c>Prepend</c> (before non-empty text), <c>Replace</c> (a string, or a regex
/// such as <c>" {2,}"</c>), <c>Strip</c> (whitespace at either end) and <c>NFKC</c> / <c>NFC</c> (Unicode's tables,
/// <see cref="UnicodeNormalization"/>: the server runs with invariant globalization, where
/// <see cref="string.Normalize()"/> leaves non-ASCII text alone). Any other step fails the load with a
/// <see cref="ModelLoadException"/> naming it: <c>Precompiled</c> (SentencePiece's own character map, what most
/// converted Unigram files have) is served through the model's <c>.model</c> file instead.
/// </summary>
internal sealed class TokenizerJsonNormalizer
{
    private readonly Func<string, string>[] _steps;

    private TokenizerJsonNormalizer(Func<string, string>[] steps) => _steps = steps;

    /// <summary>The steps' names in order, for the tokenizer's description.</summary>
    public IReadOnlyList<string> Names { get; private init; } = [];

    /// <summary>Reads <paramref name="normalizer"/> (null or JSON null: no normalizer, and this returns null).</summary>
    /// <exception cref="ModelLoadException">A step this server does not apply.</exception>
    public static TokenizerJsonNormalizer? Parse(string file, JsonElement? normalizer)
    {
        if (normalizer is not { ValueKind: JsonValueKind.Object } root)
        {
            return null;
        }

        var steps = new List<Func<string, string>>();
        var names = new List<string>();
        Add(file, root, steps, names);
        return new TokenizerJsonNormalizer([.. steps]) { Names = names };
    }

    /// <summary>The normalized text.</summary>
    public string Normalize(string text)
    {
        foreach (var step in _steps)
        {
            text = step(text);
        }

        return text;
    }

    private static void Add(string file, JsonElement step, List<Func<string, string>> steps, List<string> names)
    {
        var type = Text(step, "type");
        switch (type)
        {
            case "Sequence" when step.TryGetProperty("normalizers", out var inner) && inner.ValueKind == JsonValueKind.Array:
                foreach (var child in inner.EnumerateArray())
                {
                    Add(file, child, steps, names);
                }

                return;
            case "Prepend" when Text(step, "prepend") is { } prepend:
                steps.Add(text => text.Length == 0 ? text : prepend + text);
                break;
            case "Replace" when Text(step, "content") is { } content && step.TryGetProperty("pattern", out var pattern):
                steps.Add(Replace(file, pattern, content));
                break;
            case "Strip":
                var (left, right) = (Flag(step, "strip_left"), Flag(step, "strip_right"));
                steps.Add(text => left && right ? text.Trim() : left ? text.TrimStart() : right ? text.TrimEnd() : text);
                break;
            case "NFKC":
                steps.Add(UnicodeNormalization.Nfkc);
                break;
            case "NFC":
                steps.Add(UnicodeNormalization.Nfc);
                break;
            case "Precompiled":
                throw new ModelLoadException($"{file}: normalizer step 'Precompiled' (SentencePiece's precompiled character map) is not supported in a tokenizer.json; serve the SentencePiece .model file the tokenizer was converted from instead (set the model's 'tokenizer' parameter to it, for example 'spiece.model'), which applies the same map");
            default:
                throw new ModelLoadException($"{file}: normalizer step '{type ?? "(none)"}' is not supported; a tokenizer.json may normalize with Sequence, Prepend, Replace, Strip, NFKC and NFC");
        }

        names.Add(type!);
    }

    private static Func<string, string> Replace(string file, JsonElement pattern, string content)
    {
        if (Text(pattern, "String") is { } literal)
        {
            return literal.Length == 0 ? text => text : text => text.Replace(literal, content, StringComparison.Ordinal);
        }

        if (Text(pattern, "Regex") is { } regex)
        {
            Regex compiled;
            try
            {
                compiled = new Regex(regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ModelLoadException($"{file}: normalizer Replace's regex '{regex}' does not parse: {e.Message}", e);
            }

            // Replacement text is literal in Hugging Face; .NET would read $ in it.
            return text => compiled.Replace(text, _ => content);
        }

        throw new ModelLoadException($"{file}: normalizer Replace needs a pattern of String or Regex");
    }

    private static bool Flag(JsonElement parent, string name) =>
        !parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.False;

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
