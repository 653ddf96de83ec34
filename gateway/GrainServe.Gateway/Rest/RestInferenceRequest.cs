using GrainServe.Contracts;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// A decoded REST inference request and how its outputs are to be returned: as JSON data, or as binary data
/// after the JSON header (Triton's binary tensor data extension).
/// </summary>
/// <param name="Request">The request for the data plane.</param>
/// <param name="BinaryOutputsByDefault">The request's <c>binary_data_output</c> parameter.</param>
/// <param name="BinaryOutputs">Outputs whose own <c>binary_data</c> parameter says true (or false) explicitly.</param>
internal sealed record RestInferenceRequest(InferenceRequest Request, bool BinaryOutputsByDefault, IReadOnlyDictionary<string, bool> BinaryOutputs)
{
    /// <summary>True when output <paramref name="name"/> goes in the binary part of the response.</summary>
    public bool IsBinary(string name) => BinaryOutputs.TryGetValue(name, out var binary) ? binary : BinaryOutputsByDefault;
}
