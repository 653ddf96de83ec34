using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// Completes a configuration from the model file's own inputs and outputs, as Triton's auto-complete does:
/// missing inputs, outputs, datatypes, dims and <c>max_batch_size</c> are filled in; what the config says is
/// checked against the model, and a contradiction is a load error.
/// </summary>
public static class ModelConfigCompleter
{
    /// <summary>Triton's default <c>max_batch_size</c> for a model that can batch and whose config does not say.</summary>
    public const int DefaultMaxBatchSize = 4;

    /// <summary>
    /// Returns the effective configuration. <paramref name="modelInputs"/> and <paramref name="modelOutputs"/>
    /// are the model's tensors in graph order with their full shapes (-1 for a symbolic dimension).
    /// </summary>
    public static ModelConfig Complete(string modelName, ModelConfig written, IReadOnlyList<ModelTensorConfig> modelInputs, IReadOnlyList<ModelTensorConfig> modelOutputs)
    {
        var config = ModelConfigJson.Clone(written);
        config.Name = modelName;
        config.Platform ??= ModelConfigValidator.OnnxPlatform;

        if (config.MaxBatchSize is null)
        {
            var canBatch = modelInputs.Concat(modelOutputs).All(t => t.Dims.Length > 0 && t.Dims[0] == -1);
            config.MaxBatchSize = canBatch ? DefaultMaxBatchSize : 0;
            if (canBatch && config.DynamicBatching is null)
            {
                config.DynamicBatching = new DynamicBatchingConfig();
            }
        }

        var batched = config.MaxBatchSize > 0;
        config.Input = Merge(modelName, "input", config.Input, modelInputs, batched, requireAll: true);
        config.Output = Merge(modelName, "output", config.Output, modelOutputs, batched, requireAll: false);
        if (config.InstanceGroup.Count == 0)
        {
            config.InstanceGroup.Add(new InstanceGroupConfig { Count = 1, Kind = "KIND_AUTO" });
        }

        return config;
    }

    private static List<ModelTensorConfig> Merge(string modelName, string kind, List<ModelTensorConfig> written, IReadOnlyList<ModelTensorConfig> actual, bool batched, bool requireAll)
    {
        var byName = actual.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var result = new List<ModelTensorConfig>();
        // Without written tensors, take the model's names and let datatype and dims come from the model below.
        foreach (var tensor in written.Count == 0 ? actual.Select(a => new ModelTensorConfig { Name = a.Name }).ToList() : written)
        {
            if (!byName.TryGetValue(tensor.Name, out var model))
            {
                throw new ModelLoadException($"model '{modelName}': config {kind} '{tensor.Name}' is not in the model; the model's {kind}s are {string.Join(", ", byName.Keys)}");
            }

            var modelDims = model.Dims;
            if (batched)
            {
                if (modelDims.Length == 0 || modelDims[0] != -1)
                {
                    throw new ModelLoadException($"model '{modelName}': max_batch_size > 0 but {kind} '{tensor.Name}' has no variable first (batch) dimension; set max_batch_size to 0");
                }

                modelDims = modelDims[1..];
            }

            var datatype = tensor.DataType.Length > 0 ? tensor.DataType : model.DataType;
            if (datatype != model.DataType)
            {
                throw new ModelLoadException($"model '{modelName}': config says {kind} '{tensor.Name}' is {datatype} but the model has {model.DataType}");
            }

            var dims = tensor.Dims.Length > 0 ? tensor.Dims : modelDims;
            if (dims.Length != modelDims.Length || dims.Zip(modelDims).Any(p => p.Second != -1 && p.First != p.Second))
            {
                throw new ModelLoadException($"model '{modelName}': config dims [{string.Join(',', dims)}] of {kind} '{tensor.Name}' do not match the model's [{string.Join(',', modelDims)}]");
            }

            result.Add(new ModelTensorConfig { Name = tensor.Name, DataType = datatype, Dims = dims });
        }

        if (requireAll)
        {
            var missing = actual.Select(t => t.Name).Except(result.Select(t => t.Name)).ToList();
            if (missing.Count > 0)
            {
                throw new ModelLoadException($"model '{modelName}': the model also needs {kind}s {string.Join(", ", missing)}, which the config does not list");
            }
        }

        return result;
    }
}
