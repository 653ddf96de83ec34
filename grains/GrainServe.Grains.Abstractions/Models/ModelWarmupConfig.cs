namespace GrainServe.Models;

/// <summary>
/// Triton's <c>model_warmup</c> entry: a request sample every new instance runs before it takes traffic, so that a first
/// client does not pay for the runtime's first-run work (arena growth, kernel selection), and so that on a GPU the
/// memory an instance is charged includes what its first run allocates.
/// </summary>
[GenerateSerializer, Alias("GrainServe.ModelWarmupConfig")]
public sealed class ModelWarmupConfig
{
    /// <summary>The sample's name, for logs and errors.</summary>
    [Id(0)] public string? Name { get; set; }

    /// <summary>
    /// The batch of the request: 1 or more, and 1 for a model without batching (<c>max_batch_size</c> 0). Each input's
    /// data is repeated that many times along the batch dimension.
    /// </summary>
    [Id(1)] public int BatchSize { get; set; }

    /// <summary>Every input of the request, by name.</summary>
    [Id(2)] public Dictionary<string, ModelWarmupInputConfig> Inputs { get; set; } = [];

    /// <summary>How many times the sample runs; 0, Triton's default, runs it once.</summary>
    [Id(3)] public int Count { get; set; }
}
