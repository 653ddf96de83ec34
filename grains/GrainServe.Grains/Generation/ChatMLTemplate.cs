using System.Text;

namespace GrainServe.Generation;

/// <summary>
/// ChatML: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c> per message, <c>&lt;|im_start|&gt;assistant\n</c>
/// to prompt. Without a default system message it is the ChatML template of teknium/OpenHermes-2.5-Mistral-7B and
/// Hugging Face's ChatML; with one, the no-tools branch of Qwen/Qwen2.5-*-Instruct's template, which puts its default
/// system message first when the chat has none.
/// </summary>
internal sealed class ChatMLTemplate(string name, string? defaultSystemMessage) : ChatTemplate
{
    public override string Name { get; } = name;

    public override IReadOnlyList<string> EndOfTurnTokens { get; } = ["<|im_end|>"];

    public override bool RendersBos => false;

    protected override string RenderValidated(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        RequireStandardRoles(messages);
        var text = new StringBuilder();
        if (defaultSystemMessage is not null && messages[0].Role != System)
        {
            Turn(text, System, defaultSystemMessage);
        }

        foreach (var message in messages)
        {
            Turn(text, message.Role, message.Content);
        }

        if (addGenerationPrompt)
        {
            text.Append("<|im_start|>assistant\n");
        }

        return text.ToString();
    }

    private static void Turn(StringBuilder text, string role, string content) =>
        text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
}
