using System.Globalization;
using System.Text;
using System.Text.Json;
using GrainServe.Generation.Jinja;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// A model's own chat template: the Jinja2 <c>chat_template</c> of its tokenizer_config.json (a string, or the one
/// named <c>default</c> of a list), or its chat_template.jinja, which wins as it does in transformers. Rendered as
/// transformers' <c>apply_chat_template</c> renders it: <c>messages</c> (role, content), <c>add_generation_prompt</c>,
/// <c>tools</c> and <c>documents</c> none, the special tokens of tokenizer_config.json (<c>bos_token</c>,
/// <c>eos_token</c>…), <c>raise_exception</c> and <c>strftime_now</c>. Parsed once at load; immutable.
/// </summary>
internal sealed class JinjaChatTemplate : ChatTemplate
{
    /// <summary>Hugging Face's tokenizer configuration, beside tokenizer.json.</summary>
    public const string TokenizerConfigFile = "tokenizer_config.json";

    /// <summary>Where newer transformers versions save the template instead.</summary>
    public const string TemplateFile = "chat_template.jinja";

    private static readonly string[] SpecialTokenNames = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    // Turn markers of the common families: those the template writes end generation beside the EOS, as the named
    // templates' do (Llama 3's tokenizer_config.json names <|end_of_text|> as EOS, its turns end with <|eot_id|>).
    private static readonly string[] TurnMarkers =
        ["<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "<|END_OF_TURN_TOKEN|>", "<|end_of_text|>", "<|endoftext|>", "</s>", "<|EOT|>"];

    private readonly JinjaTemplate _template;
    private readonly IReadOnlyDictionary<string, object?> _specialTokens;
    private readonly TimeProvider _time;

    /// <exception cref="JinjaException">The source does not parse; the message names the line.</exception>
    public JinjaChatTemplate(string source, IReadOnlyDictionary<string, object?> specialTokens, TimeProvider time)
    {
        _template = JinjaTemplate.Parse(source);
        _specialTokens = specialTokens;
        _time = time;
        var eos = specialTokens.TryGetValue("eos_token", out var token) && token is string text ? [text] : Array.Empty<string>();
        EndOfTurnTokens = [.. eos.Concat(TurnMarkers.Where(m => source.Contains(m, StringComparison.Ordinal))).Distinct(StringComparer.Ordinal)];
    }

    public override string Name => ChatTemplates.TokenizerConfig;

    public override IReadOnlyList<string> EndOfTurnTokens { get; }

    // transformers encodes a rendered chat with add_special_tokens=False: the template alone decides about the BOS.
    public override bool RendersBos => true;

    /// <summary>The template of the model version in <paramref name="folder"/>, or null when it has none.</summary>
    /// <exception cref="ModelLoadException">The file is not valid JSON, its chat_template is of the wrong shape, or the template does not parse (the message names the line).</exception>
    public static JinjaChatTemplate? Load(string folder, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var configPath = Path.Combine(folder, TokenizerConfigFile);
        var templatePath = Path.Combine(folder, TemplateFile);
        JsonElement? config = null;
        if (File.Exists(configPath))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(configPath));
                config = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new ModelLoadException($"{configPath} is not valid JSON: {e.Message}", e);
            }
        }

        var (source, origin) = File.Exists(templatePath) ? (File.ReadAllText(templatePath), templatePath)
            : config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty("chat_template", out var value) ? (Select(value, configPath), $"{configPath} chat_template")
            : (null, "");
        if (source is null)
        {
            return null;
        }

        try
        {
            return new JinjaChatTemplate(source, SpecialTokens(config), time);
        }
        catch (JinjaException e)
        {
            throw new ModelLoadException($"{origin}: the chat template does not parse: {e.Message}", e);
        }
    }

    protected override string RenderValidated(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var variables = new Dictionary<string, object?>(_specialTokens, StringComparer.Ordinal)
        {
            ["messages"] = messages.Select(m => (object?)new JinjaDict { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
            ["raise_exception"] = new JinjaFunction("raise_exception", args => throw new JinjaException(JinjaErrorKind.Raised, JinjaValues.ToStr(args.Get(0, "message")))),
            ["strftime_now"] = new JinjaFunction("strftime_now", args => Strftime(_time.GetLocalNow(), JinjaValues.ToStr(args.Get(0, "format")))),
        };
        try
        {
            return _template.Render(variables);
        }
        catch (JinjaException e)
        {
            // No parameter name: the 400 carries the template's own words (raise_exception), as transformers raises them.
            throw new ArgumentException(e.Kind == JinjaErrorKind.Raised ? e.Message : $"the model's chat template failed at {e.Message}", e);
        }
    }

    // transformers: a string, or a list of {name, template} of which apply_chat_template takes "default" (no tools here).
    private static string? Select(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Array:
                var named = value.EnumerateArray()
                    .Where(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                    .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.TryGetProperty("template", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null, StringComparer.Ordinal);
                return named.TryGetValue("default", out var template) && template is not null
                    ? template
                    : throw new ModelLoadException($"{path}: chat_template lists templates named {string.Join(", ", named.Keys.Order(StringComparer.Ordinal))} but none named 'default' with a template; name one 'default'");
            default:
                throw new ModelLoadException($"{path}: chat_template is a {value.ValueKind}; it is a string or a list of {{\"name\", \"template\"}}");
        }
    }

    // transformers' special_tokens_map: the set ones, a token as its text (a string, or an AddedToken's content).
    private static Dictionary<string, object?> SpecialTokens(JsonElement? config)
    {
        var tokens = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (config is not { ValueKind: JsonValueKind.Object } c)
        {
            return tokens;
        }

        foreach (var name in SpecialTokenNames)
        {
            if (c.TryGetProperty(name, out var value) && TokenText(value) is { Length: > 0 } text)
            {
                tokens[name] = text;
            }
        }

        if (c.TryGetProperty("additional_special_tokens", out var more) && more.ValueKind == JsonValueKind.Array
            && more.EnumerateArray().Select(TokenText).OfType<string>().ToList() is { Count: > 0 } additional)
        {
            tokens["additional_special_tokens"] = additional.Select(t => (object?)t).ToList();
        }

        return tokens;
    }

    private static string? TokenText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String => content.GetString(),
        _ => null,
    };

    // Python's strftime in the C locale, for the directives templates use (Llama 3.2's "%d %b %Y"); glibc's '-'
    // drops the padding, and an unknown directive stays as written, as glibc leaves it.
    private static string Strftime(DateTimeOffset now, string format)
    {
        var text = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }

            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            var directive = format[unpadded ? i + 2 : i + 1];
            string Number(int value, int width) => value.ToString(unpadded ? "0" : new string('0', width), CultureInfo.InvariantCulture);
            var hour12 = now.Hour % 12 == 0 ? 12 : now.Hour % 12;
            var piece = directive switch
            {
                'a' => now.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => now.ToString("dddd", CultureInfo.InvariantCulture),
                'b' or 'h' => now.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => now.ToString("MMMM", CultureInfo.InvariantCulture),
                'd' => Number(now.Day, 2),
                'e' => now.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => Number(now.Hour, 2),
                'I' => Number(hour12, 2),
                'j' => Number(now.DayOfYear, 3),
                'm' => Number(now.Month, 2),
                'M' => Number(now.Minute, 2),
                'p' => now.Hour < 12 ? "AM" : "PM",
                'S' => Number(now.Second, 2),
                'y' => Number(now.Year % 100, 2),
                'Y' => now.Year.ToString(CultureInfo.InvariantCulture),
                '%' => "%",
                _ => null,
            };
            text.Append(piece ?? format.Substring(i, unpadded ? 3 : 2));
            i += unpadded ? 2 : 1;
        }

        return text.ToString();
    }
}
