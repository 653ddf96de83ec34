using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrainServe.Models;

/// <summary>
/// Reads and writes <see cref="ModelConfig"/> as Triton's JSON: snake_case names, and 64-bit numbers
/// accepted as strings too, since protobuf's JSON mapping writes int64 and uint64 that way.
/// </summary>
public static class ModelConfigJson
{
    /// <summary>The serializer options for model configuration files.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>Parses a config; throws <see cref="JsonException"/> with the position of a syntax or type error.</summary>
    public static ModelConfig Parse(string json) =>
        JsonSerializer.Deserialize<ModelConfig>(json, Options) ?? throw new JsonException("The configuration is the JSON literal null.");

    /// <summary>Writes a config as indented JSON.</summary>
    public static string Write(ModelConfig config) => JsonSerializer.Serialize(config, Options);
}
