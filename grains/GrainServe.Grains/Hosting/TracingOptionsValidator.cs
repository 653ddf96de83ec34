using Microsoft.Extensions.Options;

namespace GrainServe.Hosting;

/// <summary>Checks <see cref="TracingOptions"/> at start and says how to fix each problem.</summary>
public sealed class TracingOptionsValidator : IValidateOptions<TracingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TracingOptions options)
    {
        var failures = new List<string>();
        if (!TracingSamplers.All.Contains(options.Sampler))
        {
            failures.Add($"{TracingOptions.SectionName}:{nameof(TracingOptions.Sampler)} (or {TracingOptions.SamplerVariable}) is '{options.Sampler}'; use one of {string.Join(", ", TracingSamplers.All)}.");
        }

        if (!(options.SamplingRatio is >= 0 and <= 1))
        {
            failures.Add($"{TracingOptions.SectionName}:{nameof(TracingOptions.SamplingRatio)} (or {TracingOptions.SamplerArgVariable}) is {options.SamplingRatio}; use a number from 0 to 1, for example 0.1 to trace one request in ten.");
        }

        if (options.ServiceName is { } service && string.IsNullOrWhiteSpace(service))
        {
            failures.Add($"{TracingOptions.SectionName}:{nameof(TracingOptions.ServiceName)} (or {TracingOptions.ServiceNameVariable}) is blank; name the service, for example grainserve-gateway, or leave it unset.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
