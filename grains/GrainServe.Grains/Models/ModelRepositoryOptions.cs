namespace GrainServe.Models;

/// <summary>
/// Where the model repository is. Every silo of a cluster must see the same repository (in Kubernetes,
/// the same image or volume), since a model grain may live on any of them.
/// </summary>
public sealed class ModelRepositoryOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "ModelRepository";

    /// <summary>
    /// The repository folder: one subfolder per model, each with numbered version folders holding
    /// <c>model.onnx</c> and an optional <c>config.json</c>. A relative path is resolved against the
    /// application's base directory. Default: the sample repository shipped beside the binaries (<c>models</c>).
    /// </summary>
    public string Path { get; set; } = "models";

    /// <summary>
    /// When true (default), every model is loaded when the silo starts, as Triton does in its default
    /// model control mode; when false, a model is loaded on its first request.
    /// </summary>
    public bool LoadAllOnStartup { get; set; } = true;
}
