namespace GrainServe.Models;

/// <summary>
/// What the Open Inference Protocol's model metadata endpoint returns, plus the model's state.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ModelMetadata")]
public sealed class ModelMetadata
{
    /// <summary>Creates model metadata.</summary>
    public ModelMetadata(string name, string[] versions, string platform, TensorMetadata[] inputs, TensorMetadata[] outputs, ModelReadyState state, string? reason)
    {
        Name = name;
        Versions = versions;
        Platform = platform;
        Inputs = inputs;
        Outputs = outputs;
        State = state;
        Reason = reason;
    }

    /// <summary>The model's name.</summary>
    [Id(0)] public string Name { get; }

    /// <summary>The versions that the model's version policy serves, or the one version asked for.</summary>
    [Id(1)] public string[] Versions { get; }

    /// <summary>The framework, for example <c>onnxruntime_onnx</c>.</summary>
    [Id(2)] public string Platform { get; }

    /// <summary>The inputs; empty when the configuration could not be read.</summary>
    [Id(3)] public TensorMetadata[] Inputs { get; }

    /// <summary>The outputs; empty when the configuration could not be read.</summary>
    [Id(4)] public TensorMetadata[] Outputs { get; }

    /// <summary>Ready when an instance is loaded; Unavailable with <see cref="Reason"/> when it cannot be.</summary>
    [Id(5)] public ModelReadyState State { get; }

    /// <summary>Why the model is not ready; null when it is.</summary>
    [Id(6)] public string? Reason { get; }
}
