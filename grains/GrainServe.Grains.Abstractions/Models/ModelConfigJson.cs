using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrainServe.Models;

/// <summary>
/// Reads and writes <see cref="ModelConfig"/> as Triton's JSON: snake_case names, and 64-bit numbers
/// accepted as strings too, since protobuf's JSON mapping writes int64 and uint64 that way. Source-generated, so it
/// also works in NativeAOT tools.
/// </summary>
public static class ModelConfigJson
{
    /// <summary>Parses a config; throws <see cref="JsonException"/> with the position of a syntax or type error.</summary>
    public static ModelConfig Parse(string json) =>
        JsonSerializer.Deserialize(json, ModelConfigJsonContext.Default.ModelConfig) ?? throw new JsonException("The configuration is the JSON literal null.");

    /// <summary>Writes a config as indented JSON.</summary>
    public static string Write(ModelConfig config) => JsonSerializer.Serialize(config, ModelConfigJsonContext.Default.ModelConfig);

    /// <summary>A deep copy, for completing a config without touching the caller's.</summary>
    public static ModelConfig Clone(ModelConfig config) => Parse(Write(config));
}

/// <summary>The source-generated serializer of <see cref="ModelConfig"/>, with Triton's JSON conventions.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true)]
[JsonSerializable(typeof(ModelConfig))]
internal sealed partial class ModelConfigJsonContext : JsonSerializerContext
{
}
