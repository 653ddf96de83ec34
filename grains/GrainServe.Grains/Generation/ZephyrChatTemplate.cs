using System.Text;

namespace GrainServe.Generation;

/// <summary>
/// HuggingFaceH4/zephyr-7b-beta's template (also TinyLlama-1.1B-Chat's): <c>&lt;|{role}|&gt;\n{content}&lt;/s&gt;\n</c>
/// per message and <c>&lt;|assistant|&gt;\n</c> to prompt.
/// </summary>
internal sealed class ZephyrChatTemplate : ChatTemplate
{
    public override string Name => ChatTemplates.Zephyr;

    public override IReadOnlyList<string> EndOfTurnTokens { get; } = ["</s>"];

    public override bool RendersBos => false;

    protected override string RenderValidated(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        RequireStandardRoles(messages);
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append("<|").Append(message.Role).Append("|>\n").Append(message.Content).Append("</s>\n");
        }

        if (addGenerationPrompt)
        {
            text.Append("<|assistant|>\n");
        }

        return text.ToString();
    }
}
