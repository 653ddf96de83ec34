namespace GrainServe.Models;

/// <summary>
/// Checks <c>model_warmup</c> as written, with the rules of Triton's <c>ModelWarmup</c> message; what needs the loaded
/// model (input names, datatypes and shapes) the model itself checks when the sample runs.
/// </summary>
internal static class ModelWarmupValidator
{
    /// <summary>The folder under the model's directory that <c>input_data_file</c> names a file in, as Triton's.</summary>
    public const string DataFolder = "warmup";

    public static void Validate(ModelConfig config, List<string> problems)
    {
        for (var i = 0; i < config.ModelWarmup.Count; i++)
        {
            var sample = config.ModelWarmup[i];
            var label = Label(sample, i);
            if (sample.BatchSize < 1)
            {
                problems.Add($"{label}: batch_size {sample.BatchSize} must be 1 or more");
            }
            else if (config.MaxBatchSize == 0 && sample.BatchSize != 1)
            {
                problems.Add($"{label}: batch_size {sample.BatchSize} must be 1, since max_batch_size is 0 (the model does not batch)");
            }
            else if (config.MaxBatchSize > 0 && sample.BatchSize > config.MaxBatchSize)
            {
                problems.Add($"{label}: batch_size {sample.BatchSize} is over max_batch_size {config.MaxBatchSize}");
            }

            if (sample.Count < 0)
            {
                problems.Add($"{label}: count {sample.Count} must be 0 (once) or more");
            }

            if (sample.Inputs.Count == 0)
            {
                problems.Add($"{label}: no inputs; name every input of the model with its data_type, dims and data");
            }

            foreach (var (name, input) in sample.Inputs)
            {
                ValidateInput($"{label} input '{name}'", input, problems);
            }
        }
    }

    /// <summary>How errors name a sample: by its name, or by its place when it has none.</summary>
    public static string Label(ModelWarmupConfig sample, int index) =>
        string.IsNullOrEmpty(sample.Name) ? $"model_warmup[{index}]" : $"model_warmup '{sample.Name}'";

    private static void ValidateInput(string label, ModelWarmupInputConfig input, List<string> problems)
    {
        if (input.DataType is null || TritonDatatype.ToProtocol(input.DataType) is null)
        {
            problems.Add($"{label}: data_type '{input.DataType}' is not a Triton datatype (TYPE_FP32, TYPE_INT64, TYPE_STRING, ...)");
        }

        if (input.Dims.Any(d => d < 0))
        {
            problems.Add($"{label}: dims [{string.Join(", ", input.Dims)}] must all be fixed (0 or more): a warm-up sample has one shape");
        }

        var sources = (input.ZeroData is null ? 0 : 1) + (input.RandomData is null ? 0 : 1) + (input.InputDataFile is null ? 0 : 1);
        if (sources != 1)
        {
            problems.Add($"{label}: set exactly one of zero_data, random_data and input_data_file (it sets {sources})");
        }

        if (input.InputDataFile is { } file && !IsPlainFileName(file))
        {
            problems.Add($"{label}: input_data_file '{file}' must name a file in the model's {DataFolder}/ folder, without folders");
        }
    }

    // A name inside warmup/ only: no separators, no parent folder, nothing rooted.
    private static bool IsPlainFileName(string file) =>
        file.Length > 0 && file is not ("." or "..") && file.IndexOfAny(['/', '\\']) < 0 && !Path.IsPathRooted(file);
}
