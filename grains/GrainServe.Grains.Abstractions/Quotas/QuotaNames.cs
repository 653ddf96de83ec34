namespace GrainServe.Quotas;

/// <summary>The quotas a key can have, as the keys file and the metrics' <c>quota</c> label name them.</summary>
public static class QuotaNames
{
    /// <summary>Requests of any route the key is checked on, per second; one token per request.</summary>
    public const string RequestsPerSecond = "requests_per_second";

    /// <summary>Prompt plus generated tokens of generation models, per minute.</summary>
    public const string TokensPerMinute = "tokens_per_minute";

    /// <summary>Seconds of audio of speech models per minute: what a transcription hears, what a synthesis says.</summary>
    public const string AudioSecondsPerMinute = "audio_seconds_per_minute";
}
