using System.Text;

namespace GrainServe.Generation;

/// <summary>
/// mistralai/Mistral-7B-Instruct-v0.2's template as its tokenizer_config.json has had it since May 2024 (the same as
/// v0.1's since then): <c>&lt;s&gt;</c>, then <c> [INST] {user} [/INST]</c> and <c> {assistant}&lt;/s&gt;</c>
/// alternating; an optional first system message goes before the first user message, separated by a blank line.
/// It has no generation prompt: the text after <c>[/INST]</c> is the model's.
/// </summary>
internal sealed class MistralInstructTemplate : ChatTemplate
{
    public override string Name => ChatTemplates.Mistral;

    public override IReadOnlyList<string> EndOfTurnTokens { get; } = ["</s>"];

    public override bool RendersBos => true;

    protected override string RenderValidated(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var systemMessage = messages[0].Role == System ? messages[0].Content : null;
        var offset = systemMessage is null ? 0 : 1;

        // The template checks each message in turn, its place and then its role, and the first failure is the chat's
        // error: [user, system, user, user] fails on the system message's role, not on the last one's place.
        for (var i = offset; i < messages.Count; i++)
        {
            if ((messages[i].Role == User) != ((i - offset) % 2 == 0))
            {
                throw new ArgumentException("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...", nameof(messages));
            }

            if (messages[i].Role is not (User or Assistant))
            {
                throw new ArgumentException("Only user and assistant roles are supported, with the exception of an initial optional system message!", nameof(messages));
            }
        }

        var text = new StringBuilder("<s>");
        for (var i = offset; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role == User)
            {
                text.Append(" [INST] ");
                if (i == offset && systemMessage is not null)
                {
                    text.Append(systemMessage).Append("\n\n");
                }

                text.Append(message.Content).Append(" [/INST]");
            }
            else
            {
                text.Append(' ').Append(message.Content).Append("</s>");
            }
        }

        return text.ToString();
    }
}
