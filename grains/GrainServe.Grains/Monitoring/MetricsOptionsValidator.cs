using System.Globalization;
using Microsoft.Extensions.Options;

namespace GrainServe.Monitoring;

/// <summary>Refuses metrics options that would serve nonsense, naming the setting and the value.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var failures = new List<string>();
        if (options.Port is { } port && (port < 1 || port > 65535))
        {
            failures.Add($"Metrics:Port must be a TCP port (1 to 65535), got {port}");
        }

        foreach (var pair in options.SummaryQuantiles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':');
            if (parts.Length is < 1 or > 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var q) || q is <= 0 or >= 1
                || (parts.Length == 2 && (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var error) || error is < 0 or >= 1)))
            {
                failures.Add($"Metrics:SummaryQuantiles must be quantile:error pairs with 0 < quantile < 1 and 0 <= error < 1, separated by commas (as Triton's summary_quantiles); '{pair}' is not one");
            }
        }

        if (options.SummaryWindow <= TimeSpan.Zero)
        {
            failures.Add($"Metrics:SummaryWindow must be positive, got {options.SummaryWindow}");
        }

        var buckets = options.FirstResponseBuckets;
        if (buckets.Length == 0 || buckets.Zip(buckets.Skip(1)).Any(p => p.First >= p.Second))
        {
            failures.Add($"Metrics:FirstResponseBucketsMs must be a non-empty, strictly increasing list, got [{string.Join(", ", buckets)}]");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
