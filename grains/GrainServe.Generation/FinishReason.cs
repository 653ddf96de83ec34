namespace GrainServe.Generation;

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason
{
    /// <summary>It produced an end-of-sequence token (one of <see cref="GenerationRequest.StopTokenIds"/>).</summary>
    EndOfSequence,

    /// <summary>Its text reached one of <see cref="SamplingParameters.Stop"/>; the stop string itself is not emitted.</summary>
    StopString,

    /// <summary>It produced <see cref="SamplingParameters.MaxTokens"/> tokens, or reached the model's context length.</summary>
    Length,

    /// <summary>Its caller went away; its cache was freed at the next step.</summary>
    Cancelled,

    /// <summary>The step model failed while running it; <see cref="GenerationUpdate.Error"/> says why.</summary>
    Error,
}
