using System.Text;

namespace GrainServe.Generation;

/// <summary>
/// meta-llama/Meta-Llama-3-8B-Instruct's template: <c>&lt;|begin_of_text|&gt;</c> once, then per message
/// <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content | trim}&lt;|eot_id|&gt;</c>, and
/// <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c> to prompt.
/// </summary>
internal sealed class Llama3ChatTemplate : ChatTemplate
{
    public override string Name => ChatTemplates.Llama3;

    public override IReadOnlyList<string> EndOfTurnTokens { get; } = ["<|eot_id|>", "<|end_of_text|>"];

    public override bool RendersBos => true;

    protected override string RenderValidated(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        RequireStandardRoles(messages);
        var text = new StringBuilder("<|begin_of_text|>");
        foreach (var message in messages)
        {
            // Jinja's trim is Python's str.strip(): Unicode whitespace on both ends, as string.Trim().
            text.Append("<|start_header_id|>").Append(message.Role).Append("<|end_header_id|>\n\n").Append(message.Content.Trim()).Append("<|eot_id|>");
        }

        if (addGenerationPrompt)
        {
            text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }

        return text.ToString();
    }
}
