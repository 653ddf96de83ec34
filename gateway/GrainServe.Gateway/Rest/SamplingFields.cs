using System.Text.Json;
using GrainServe.Generation;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// The sampling fields with vLLM's names, as the generate extension's <c>parameters</c> and gRPC's
/// <c>sampling_parameters</c> take them: one reader for both, with the field's type checked (ranges are the engine's).
/// <c>priority</c> is vLLM's too: lower is served first, default 0 (not Triton's levels, where 1 is the highest).
/// </summary>
internal static class SamplingFields
{
    /// <summary>The names served.</summary>
    public static readonly string[] Names =
        ["temperature", "top_p", "top_k", "min_p", "max_tokens", "stop", "seed", "repetition_penalty", "presence_penalty", "frequency_penalty", "ignore_eos", "priority"];

    /// <summary>The request with field <paramref name="name"/> set from <paramref name="value"/>; null when the name is not a sampling field.</summary>
    public static GenerateRequest? Apply(GenerateRequest request, string name, JsonElement value) => name switch
    {
        "temperature" => request with { Temperature = JsonFields.Float(value, name) },
        "top_p" => request with { TopP = JsonFields.Float(value, name) },
        "top_k" => request with { TopK = JsonFields.Int(value, name) },
        "min_p" => request with { MinP = JsonFields.Float(value, name) },
        "max_tokens" => request with { MaxTokens = JsonFields.Int(value, name) },
        "stop" => request with { Stop = JsonFields.Strings(value, name) },
        "seed" => request with { Seed = JsonFields.Long(value, name) },
        "repetition_penalty" => request with { RepetitionPenalty = JsonFields.Float(value, name) },
        "presence_penalty" => request with { PresencePenalty = JsonFields.Float(value, name) },
        "frequency_penalty" => request with { FrequencyPenalty = JsonFields.Float(value, name) },
        "ignore_eos" => request with { IgnoreEos = JsonFields.Bool(value, name) },
        "priority" => request with { Priority = JsonFields.Int(value, name) },
        _ => null,
    };
}
