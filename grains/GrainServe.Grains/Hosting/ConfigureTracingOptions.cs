using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GrainServe.Hosting;

/// <summary>
/// Takes <see cref="TracingOptions"/>' defaults from the standard OpenTelemetry variables, read through configuration
/// (so an environment variable and a configuration key of the same name both count, as the SDK itself reads them).
/// </summary>
/// <remarks>
/// The .NET SDK (1.21) honours <c>OTEL_TRACES_SAMPLER</c> and its argument itself, but only when no sampler is set in
/// code, and GrainServe sets one (<see cref="GrainServe.Tracing.GrainServeSampler"/>, which keeps a batch with the
/// requests it served); so the two variables are read here, with the SDK's names and values.
/// </remarks>
public sealed class ConfigureTracingOptions(IConfiguration configuration) : IConfigureOptions<TracingOptions>
{
    /// <inheritdoc />
    public void Configure(TracingOptions options)
    {
        options.Enabled = !string.IsNullOrWhiteSpace(configuration[TracingOptions.OtlpEndpointVariable])
            || !string.IsNullOrWhiteSpace(configuration[TracingOptions.OtlpTracesEndpointVariable]);
        if (configuration[TracingOptions.SamplerVariable] is { Length: > 0 } sampler)
        {
            options.Sampler = sampler.Trim().ToLowerInvariant();
        }

        // A ratio that does not parse is kept as NaN, for the validator to name, rather than silently ignored.
        if (configuration[TracingOptions.SamplerArgVariable] is { Length: > 0 } ratio)
        {
            options.SamplingRatio = double.TryParse(ratio, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN;
        }

        if (configuration[TracingOptions.ServiceNameVariable] is { Length: > 0 } name)
        {
            options.ServiceName = name;
        }
    }

    /// <summary>The options as a host reads them at start: the variables' defaults, then the section, then validated.</summary>
    public static TracingOptions Read(IConfiguration configuration)
    {
        var options = new TracingOptions();
        new ConfigureTracingOptions(configuration).Configure(options);
        configuration.GetSection(TracingOptions.SectionName).Bind(options);
        var result = new TracingOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(TracingOptions.SectionName, typeof(TracingOptions), result.Failures);
        }

        return options;
    }
}
