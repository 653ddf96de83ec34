using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// The configuration a pipeline model (text generation, Whisper) shows on the V2 metadata routes: the model's own
/// config.json with its name and platform filled in, no batch dimension (the pipeline forms its own batches), one
/// instance unless it says otherwise, and the kind's tensors where the file declares none.
/// </summary>
internal static class PipelineConfigs
{
    /// <summary>The effective config of <paramref name="model"/>, with <paramref name="inputs"/> and <paramref name="outputs"/> where it lists none.</summary>
    public static ModelConfig Effective(ModelDefinition model, ModelTensorConfig[] inputs, ModelTensorConfig[] outputs)
    {
        var config = ModelConfigJson.Clone(model.Config);
        config.Name = model.Name;
        config.Platform ??= ModelConfigValidator.OnnxPlatform;
        config.MaxBatchSize = 0;
        if (config.Input.Count == 0)
        {
            config.Input.AddRange(inputs);
        }

        if (config.Output.Count == 0)
        {
            config.Output.AddRange(outputs);
        }

        if (config.InstanceGroup.Count == 0)
        {
            config.InstanceGroup.Add(new InstanceGroupConfig { Count = 1, Kind = "KIND_AUTO" });
        }

        return config;
    }
}
