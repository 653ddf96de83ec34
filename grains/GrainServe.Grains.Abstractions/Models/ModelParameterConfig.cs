using System.Text.Json.Serialization;

namespace GrainServe.Models;

/// <summary>A value of Triton's <c>parameters</c> map.</summary>
[GenerateSerializer, Alias("GrainServe.ModelParameterConfig")]
public sealed class ModelParameterConfig
{
    /// <summary>The parameter's value.</summary>
    [Id(0)]
    [JsonPropertyName("string_value")]
    public string StringValue { get; set; } = "";
}
