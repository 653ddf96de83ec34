namespace GrainServe.Generation;

/// <summary>A generated token's log-probability and, when asked for, the most likely alternatives at its position.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.GenerateTokenLogprob")]
public sealed record GenerateTokenLogprob
{
    /// <summary>The token id.</summary>
    [Id(0)] public int TokenId { get; init; }

    /// <summary>The token's text (part of a UTF-8 character shows as U+FFFD).</summary>
    [Id(1)] public string Text { get; init; } = "";

    /// <summary>Natural log of the token's probability under the model's raw distribution.</summary>
    [Id(2)] public float Logprob { get; init; }

    /// <summary>True for a special token (end of sequence, a chat marker).</summary>
    [Id(3)] public bool Special { get; init; }

    /// <summary>The most likely tokens at this position, most likely first; empty when not asked for.</summary>
    [Id(4)] public GenerateTokenLogprob[] Top { get; init; } = [];

    /// <summary>The bytes the token stands for (part of a UTF-8 character for some tokens), as OpenAI's logprobs give them.</summary>
    [Id(5)] public byte[] Bytes { get; init; } = [];
}
