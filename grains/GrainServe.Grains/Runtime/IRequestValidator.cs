using GrainServe.Contracts;
using GrainServe.Errors;

namespace GrainServe.Runtime;

/// <summary>
/// A runner that can refuse a single request before it joins a batch (for example text that is not UTF-8), so
/// that one bad request fails alone instead of failing the batch it would have joined.
/// </summary>
public interface IRequestValidator
{
    /// <summary>The problem with the request, or null when the runner can run it. Called off the batch thread.</summary>
    InferenceError? Validate(InferenceRequest request);
}
