using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainServe.Models;

/// <summary>
/// Reads the model repository folder: Triton's layout of <c>{model}/config.json</c> and
/// <c>{model}/{version}/model.onnx</c>. It reads the disk on every call, so a model added or fixed
/// on disk is seen the next time it is loaded.
/// </summary>
public sealed partial class ModelRepository
{
    /// <summary>The model file name inside a version folder unless the config names another.</summary>
    public const string DefaultModelFilename = "model.onnx";

    /// <summary>The configuration file name inside a model folder.</summary>
    public const string ConfigFilename = "config.json";

    private readonly ILogger<ModelRepository> _logger;

    /// <summary>Creates the repository reader.</summary>
    public ModelRepository(IOptions<ModelRepositoryOptions> options, ILogger<ModelRepository> logger)
    {
        _logger = logger;
        var path = options.Value.Path;
        RootPath = System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(AppContext.BaseDirectory, path);
    }

    /// <summary>The repository's absolute path.</summary>
    public string RootPath { get; }

    /// <summary>The names of the models in the repository, sorted.</summary>
    public IReadOnlyList<string> ListModels()
    {
        if (!Directory.Exists(RootPath))
        {
            return [];
        }

        return Directory.EnumerateDirectories(RootPath)
            .Select(System.IO.Path.GetFileName)
            .OfType<string>()
            .Where(n => !n.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The model named <paramref name="name"/>, or null when the repository has no such folder. A model
    /// whose config is broken is returned with <see cref="ModelDefinition.ConfigError"/> set.
    /// <paramref name="configOverride"/>, when given, is used instead of the model's config.json.
    /// </summary>
    public ModelDefinition? Find(string name, ModelConfig? configOverride = null)
    {
        if (!IsValidModelName(name))
        {
            return null;
        }

        var directory = System.IO.Path.Combine(RootPath, name);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        // The definition is completed in place (its name filled in), so it must not share the caller's object.
        var (config, error) = configOverride is not null ? (ModelConfigJson.Clone(configOverride), null) : ReadConfig(name, directory);
        config.Name ??= name;
        var modelFile = config.DefaultModelFilename ?? DefaultModelFilename;
        var versions = Directory.EnumerateDirectories(directory)
            .Select(d => (Dir: d, Ok: long.TryParse(System.IO.Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v), Version: v))
            .Where(x => x.Ok && x.Version > 0 && File.Exists(System.IO.Path.Combine(x.Dir, modelFile)))
            .Select(x => x.Version)
            .Order()
            .ToList();

        if (error is null)
        {
            var problems = ModelConfigValidator.Validate(name, config);
            if (versions.Count == 0)
            {
                problems.Add($"no version folder holds '{modelFile}': expected {name}/1/{modelFile}");
            }
            else if (config.Traffic is { } traffic)
            {
                problems.AddRange(TrafficConfigChecks.UnknownVersions(traffic, versions));
            }

            if (problems.Count > 0)
            {
                error = string.Join("; ", problems);
            }
        }

        if (error is not null)
        {
            LogBrokenModel(_logger, name, error);
        }

        return new ModelDefinition(name, directory, config, error, versions);
    }

    // Model names are folder names and part of URLs; refusing separators keeps a request from
    // reading outside the repository.
    private static bool IsValidModelName(string name) =>
        name.Length > 0 && name != "." && name != ".." && name.IndexOfAny(['/', '\\', '\0']) < 0;

    private static (ModelConfig Config, string? Error) ReadConfig(string name, string directory)
    {
        var path = System.IO.Path.Combine(directory, ConfigFilename);
        if (!File.Exists(path))
        {
            return (new ModelConfig(), null);
        }

        try
        {
            return (ModelConfigJson.Parse(File.ReadAllText(path)), null);
        }
        catch (JsonException ex)
        {
            return (new ModelConfig(), $"{name}/{ConfigFilename} is not a valid model configuration: {ex.Message}");
        }
        catch (IOException ex)
        {
            return (new ModelConfig(), $"{name}/{ConfigFilename} cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return (new ModelConfig(), $"{name}/{ConfigFilename} cannot be read: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = EventIds.BrokenModel, EventName = nameof(EventIds.BrokenModel), Level = LogLevel.Warning,
        Message = "Model {ModelName} is unavailable: {Reason}")]
    private static partial void LogBrokenModel(ILogger logger, string modelName, string reason);
}
