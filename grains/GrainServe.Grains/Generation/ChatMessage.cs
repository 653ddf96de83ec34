namespace GrainServe.Generation;

/// <summary>One message of a chat: <paramref name="Role"/> is <c>system</c>, <c>user</c> or <c>assistant</c> (OpenAI's names); <paramref name="Content"/> its text.</summary>
public sealed record ChatMessage(string Role, string Content);
