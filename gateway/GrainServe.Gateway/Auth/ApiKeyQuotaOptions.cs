using System.Text.Json.Serialization;
using GrainServe.Quotas;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// A key's quotas, as the keys file writes them: <c>"quota": {"requests_per_second": 50, "tokens_per_minute": 100000, "audio_seconds_per_minute": 600}</c>
/// (configuration: <c>Auth:Keys:0:Quota:RequestsPerSecond</c>). Each is one token bucket for the whole cluster, whose
/// burst is one period's worth; an absent one is no limit.
/// </summary>
public sealed class ApiKeyQuotaOptions
{
    /// <summary>Requests per second, of every route the key is checked on. Default none.</summary>
    [JsonPropertyName(QuotaNames.RequestsPerSecond)]
    public double? RequestsPerSecond { get; set; }

    /// <summary>
    /// Tokens per minute of generation models: prompt plus generated tokens, reserved up front (the prompt estimated from
    /// its UTF-8 bytes, plus <c>max_tokens</c>) and settled once the answer's usage is known. Default none.
    /// </summary>
    [JsonPropertyName(QuotaNames.TokensPerMinute)]
    public double? TokensPerMinute { get; set; }

    /// <summary>
    /// Seconds of audio per minute of speech models (Whisper's recordings heard, voices' speech made). The length is known
    /// only once the device has decoded or made the audio, so a request reserves one second and is charged its real
    /// length after: a key can overshoot by one request's audio, and pays it back before its next one. Default none.
    /// </summary>
    [JsonPropertyName(QuotaNames.AudioSecondsPerMinute)]
    public double? AudioSecondsPerMinute { get; set; }

    /// <summary>Every limit that is set, by its keys-file name.</summary>
    internal IEnumerable<(string Name, double Value)> Limits()
    {
        if (RequestsPerSecond is { } requests)
        {
            yield return (QuotaNames.RequestsPerSecond, requests);
        }

        if (TokensPerMinute is { } tokens)
        {
            yield return (QuotaNames.TokensPerMinute, tokens);
        }

        if (AudioSecondsPerMinute is { } audio)
        {
            yield return (QuotaNames.AudioSecondsPerMinute, audio);
        }
    }
}
