namespace GrainServe.Models;

/// <summary>
/// A model's configuration in the JSON form of Triton's <c>ModelConfig</c> message (model_config.proto),
/// with Triton's field names. Fields GrainServe does not use are ignored when read.
/// </summary>
[GenerateSerializer, Alias("GrainServe.ModelConfig")]
public sealed class ModelConfig
{
    /// <summary>The model's name; must equal its folder's name (filled in from it when absent).</summary>
    [Id(0)] public string? Name { get; set; }

    /// <summary>The framework; <c>onnxruntime_onnx</c> is the one supported (filled in when absent).</summary>
    [Id(1)] public string? Platform { get; set; }

    /// <summary>Triton's backend name; <c>onnxruntime</c> is accepted as a synonym of the platform.</summary>
    [Id(2)] public string? Backend { get; set; }

    /// <summary>
    /// The largest batch one run takes. 0 means the model has no batch dimension and requests are never
    /// joined; &gt; 0 means every input and output has an implicit leading batch dimension not listed in
    /// <c>dims</c>. Null when the configuration does not say (auto-completion decides).
    /// </summary>
    [Id(3)] public int? MaxBatchSize { get; set; }

    /// <summary>The inputs; completed from the ONNX model when empty.</summary>
    [Id(4)] public List<ModelTensorConfig> Input { get; set; } = [];

    /// <summary>The outputs; completed from the ONNX model when empty.</summary>
    [Id(5)] public List<ModelTensorConfig> Output { get; set; } = [];

    /// <summary>Dynamic batching settings; null turns dynamic batching off (each request runs alone).</summary>
    [Id(6)] public DynamicBatchingConfig? DynamicBatching { get; set; }

    /// <summary>How many instances to place and of what kind. Default: one instance.</summary>
    [Id(7)] public List<InstanceGroupConfig> InstanceGroup { get; set; } = [];

    /// <summary>Which versions to serve. Default: the latest one.</summary>
    [Id(8)] public VersionPolicyConfig? VersionPolicy { get; set; }

    /// <summary>Free-form parameters for the model's runner, as Triton's <c>parameters</c> map of <c>string_value</c>s.</summary>
    [Id(9)] public Dictionary<string, ModelParameterConfig>? Parameters { get; set; }

    /// <summary>The ONNX file inside each version folder. Default <c>model.onnx</c>.</summary>
    [Id(10)] public string? DefaultModelFilename { get; set; }

    /// <summary>How requests that name no version are split over the versions; null sends them to the newest ready one.</summary>
    [Id(11)] public TrafficConfig? Traffic { get; set; }

    /// <summary>Request-based autoscaling of each version; null keeps <see cref="InstanceGroup"/>'s count.</summary>
    [Id(12)] public AutoscalingConfig? Autoscaling { get; set; }

    /// <summary>Request samples every new instance runs before it is ready (Triton's <c>model_warmup</c>); none by default.</summary>
    [Id(13)] public List<ModelWarmupConfig> ModelWarmup { get; set; } = [];
}
