namespace GrainServe.Generation;

/// <summary>
/// The chat templates the server renders itself, by name (a model's <c>chat_template</c> setting). Each renders what
/// the named model's Hugging Face Jinja template renders; a model's own Jinja template (<see cref="TokenizerConfig"/>)
/// is rendered by <see cref="JinjaChatTemplate"/> instead.
/// </summary>
public static class ChatTemplates
{
    /// <summary>ChatML as OpenHermes 2.5 and Hugging Face write it, with no default system message.</summary>
    public const string ChatML = "chatml";

    /// <summary>Qwen2.5 Instruct's ChatML: its default system message ("You are Qwen, created by Alibaba Cloud…") when the chat has none.</summary>
    public const string Qwen25 = "qwen2.5";

    /// <summary>Meta Llama 3 Instruct's header format.</summary>
    public const string Llama3 = "llama3";

    /// <summary>Mistral 7B Instruct v0.2's <c>[INST]</c> format.</summary>
    public const string Mistral = "mistral";

    /// <summary>Zephyr 7B beta's <c>&lt;|user|&gt;</c> format.</summary>
    public const string Zephyr = "zephyr";

    /// <summary>
    /// Not one of these templates: the model's own Jinja2 template, from the <c>chat_template</c> of its
    /// tokenizer_config.json (or its chat_template.jinja), which must then be there. Without a <c>chat_template</c>
    /// setting a model's own template is used when it has one; a named template set beside it wins.
    /// </summary>
    public const string TokenizerConfig = "tokenizer_config";

    /// <summary>Qwen2.5 Instruct's default system message, from its template.</summary>
    internal const string QwenDefaultSystemMessage = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    private static readonly Dictionary<string, ChatTemplate> ByName = new ChatTemplate[]
    {
        new ChatMLTemplate(ChatML, defaultSystemMessage: null),
        new ChatMLTemplate(Qwen25, QwenDefaultSystemMessage),
        new Llama3ChatTemplate(),
        new MistralInstructTemplate(),
        new ZephyrChatTemplate(),
    }.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names <see cref="Get"/> knows, in no particular order.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The template named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No template has that name; the message lists the names.</exception>
    public static ChatTemplate Get(string name) =>
        TryGet(name, out var template)
            ? template
            : throw new ArgumentException($"unknown chat template '{name}'; known: {string.Join(", ", ByName.Keys.Order(StringComparer.Ordinal))}", nameof(name));

    /// <summary>The template named <paramref name="name"/> (case-insensitive), if there is one.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChatTemplate? template)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name, out template);
    }
}
