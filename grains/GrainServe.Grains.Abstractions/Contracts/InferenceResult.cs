using GrainServe.Errors;

namespace GrainServe.Contracts;

/// <summary>
/// The outcome of an inference call: a response or an error. Expected failures (bad input, a full
/// queue, a model that is not ready) are values rather than exceptions, because they are common on the
/// hot path and cross grain boundaries cheaply this way.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.InferenceResult")]
public sealed class InferenceResult
{
    private InferenceResult(InferenceResponse? response, InferenceError? error)
    {
        Response = response;
        Error = error;
    }

    /// <summary>The response; null when <see cref="Error"/> is set.</summary>
    [Id(0)] public InferenceResponse? Response { get; }

    /// <summary>The error; null on success.</summary>
    [Id(1)] public InferenceError? Error { get; }

    /// <summary>
    /// The answering instance's recent service figures, set by a batch queue on what it answers; null when none were
    /// measured yet or the answer did not come from a queue. Gateways route requests with deadlines by it.
    /// </summary>
    [Id(2)] public ServiceEstimate? Estimate { get; private init; }

    /// <summary>A successful result.</summary>
    public static InferenceResult Success(InferenceResponse response) => new(response, null);

    /// <summary>A failed result.</summary>
    public static InferenceResult Failure(InferenceErrorCode code, string message) => new(null, new InferenceError(code, message));

    /// <summary>A failed result.</summary>
    public static InferenceResult Failure(InferenceError error) => new(null, error);

    /// <summary>This result with <see cref="Estimate"/> set.</summary>
    public InferenceResult WithEstimate(ServiceEstimate? estimate) => new(Response, Error) { Estimate = estimate };
}
