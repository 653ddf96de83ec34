namespace GrainServe.Generation;

/// <summary>
/// A model family's prompt format: turns chat messages into the one text the model was fine-tuned on, rendering
/// exactly what the family's Hugging Face Jinja <c>chat_template</c> renders for the same messages. Get one by name from
/// <see cref="ChatTemplates"/>. Immutable and safe to share.
/// </summary>
public abstract class ChatTemplate
{
    /// <summary>The role names of OpenAI's chat API and of the templates.</summary>
    protected const string System = "system";

    /// <summary>The user's role.</summary>
    protected const string User = "user";

    /// <summary>The model's role.</summary>
    protected const string Assistant = "assistant";

    /// <summary>The name it is selected by (<see cref="ChatTemplates.ChatML"/>…).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The texts of the tokens that end the model's turn (<c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>,
    /// <c>&lt;/s&gt;</c>): generation stops at any of them, as well as at the tokenizer's EOS.
    /// </summary>
    public abstract IReadOnlyList<string> EndOfTurnTokens { get; }

    /// <summary>
    /// True when the rendered text is to be encoded without adding a BOS: it already begins with the
    /// beginning-of-sequence token's text, or, for a model's own Jinja template, the template alone decides (Hugging
    /// Face's <c>apply_chat_template</c> encodes with <c>add_special_tokens=False</c>).
    /// </summary>
    public abstract bool RendersBos { get; }

    /// <summary>
    /// The prompt for <paramref name="messages"/>; with <paramref name="addGenerationPrompt"/>, followed by the opening
    /// of an assistant turn for the model to complete (templates without one ignore it).
    /// </summary>
    /// <exception cref="ArgumentException">No messages, a role the template does not allow, or an order it rejects; the message says which.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("a chat needs at least one message", nameof(messages));
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not { Role: not null, Content: not null })
            {
                throw new ArgumentException($"message {i} needs a role and a content", nameof(messages));
            }
        }

        return RenderValidated(messages, addGenerationPrompt);
    }

    /// <summary>Renders messages that are non-empty and have a role and a content each.</summary>
    protected abstract string RenderValidated(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    /// <summary>Throws unless every role is system, user or assistant.</summary>
    protected void RequireStandardRoles(IReadOnlyList<ChatMessage> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role is not (System or User or Assistant))
            {
                throw new ArgumentException($"message {i}: role '{messages[i].Role}' is not supported by the {Name} chat template; use system, user or assistant", nameof(messages));
            }
        }
    }
}
