namespace GrainServe.Generation;

/// <summary>Why a generation stopped. Each protocol spells these its own way (OpenAI: <c>stop</c>, <c>length</c>).</summary>
[GenerateSerializer]
public enum GenerateFinishReason
{
    /// <summary>The model produced an end-of-sequence (or end-of-turn) token.</summary>
    EndOfSequence,

    /// <summary>The text reached a stop string.</summary>
    StopString,

    /// <summary><c>max_tokens</c> tokens were generated, or the context is full.</summary>
    Length,

    /// <summary>The caller went away.</summary>
    Cancelled,

    /// <summary>
    /// The instance failed or was unloaded while generating; the chunk's error says why (<c>ModelNotReady</c>, which is
    /// retryable, when it was unloaded).
    /// </summary>
    Error,
}
