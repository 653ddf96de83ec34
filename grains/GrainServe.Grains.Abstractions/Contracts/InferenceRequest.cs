namespace GrainServe.Contracts;

/// <summary>
/// An inference request for one model, after the protocol adapter has decoded it.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.InferenceRequest")]
public sealed class InferenceRequest
{
    /// <summary>Creates a request.</summary>
    public InferenceRequest(string? id, string? modelVersion, InferTensor[] inputs, string[]? requestedOutputs)
    {
        Id = id;
        ModelVersion = modelVersion;
        Inputs = inputs;
        RequestedOutputs = requestedOutputs;
    }

    /// <summary>The client's request id, echoed in the response; null when the client sent none.</summary>
    [Id(0)] public string? Id { get; }

    /// <summary>The version the client asked for, or null to let the model's routing pick one.</summary>
    [Id(1)] public string? ModelVersion { get; }

    /// <summary>The input tensors, at most one per name.</summary>
    [Id(2)] public InferTensor[] Inputs { get; }

    /// <summary>The outputs to return, by name; null returns every output of the model.</summary>
    [Id(3)] public string[]? RequestedOutputs { get; }

    /// <summary>
    /// The request's own <c>parameters</c> beyond the protocol's (V2 REST's object, gRPC's map), each value as text
    /// (<c>true</c>, <c>0.2</c>, <c>de</c>): what a pipeline model reads its options from, such as Whisper's
    /// <c>language</c>. Null when there are none.
    /// </summary>
    [Id(4)] public Dictionary<string, string>? Parameters { get; init; }

    /// <summary>
    /// When the client stops waiting for the answer, on the UTC wall clock: its gRPC deadline, or the REST
    /// <c>x-request-deadline-ms</c> header taken from the moment the gateway read it. The batch queue orders by it within a
    /// priority level and fails, unrun, a request that can no longer be answered by it. Null for none. An absolute time
    /// rather than a budget, so the gateway-to-device hop is counted too; silos' clocks are assumed NTP-synchronized.
    /// </summary>
    [Id(5)] public DateTimeOffset? Deadline { get; init; }

    /// <summary>The same request with <see cref="Deadline"/> set to <paramref name="deadline"/>.</summary>
    public InferenceRequest WithDeadline(DateTimeOffset? deadline) =>
        new(Id, ModelVersion, Inputs, RequestedOutputs) { Parameters = Parameters, Deadline = deadline };
}
