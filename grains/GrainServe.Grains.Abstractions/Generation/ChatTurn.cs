namespace GrainServe.Generation;

/// <summary>One chat message: <c>role</c> (<c>system</c>, <c>user</c>, <c>assistant</c>) and its text.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ChatTurn")]
public sealed record ChatTurn([property: Id(0)] string Role, [property: Id(1)] string Content);
