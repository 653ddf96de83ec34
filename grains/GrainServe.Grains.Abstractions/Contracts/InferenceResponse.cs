namespace GrainServe.Contracts;

/// <summary>
/// The outputs of one successful inference request.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.InferenceResponse")]
public sealed class InferenceResponse
{
    /// <summary>Creates a response.</summary>
    public InferenceResponse(string modelName, string modelVersion, string? id, InferTensor[] outputs)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        Outputs = outputs;
    }

    /// <summary>The model that answered.</summary>
    [Id(0)] public string ModelName { get; }

    /// <summary>The version of the model that answered.</summary>
    [Id(1)] public string ModelVersion { get; }

    /// <summary>The request's id, echoed; null when the request had none.</summary>
    [Id(2)] public string? Id { get; }

    /// <summary>The requested outputs, in the model's output order.</summary>
    [Id(3)] public InferTensor[] Outputs { get; }

    /// <summary>
    /// Seconds of audio the request accounted for on a speech model: the recording a transcription heard, the speech a
    /// synthesis made. What an API key's audio-seconds quota is charged; 0 for every other model.
    /// </summary>
    [Id(4)] public double AudioSeconds { get; init; }
}
