using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GrainServe.Hosting;

public sealed class TracingOptionsTests
{
    [Fact]
    public void Read_NothingConfigured_TracingOffAndEveryRequestSampledWhenOn()
    {
        var options = ConfigureTracingOptions.Read(Config());

        Assert.False(options.Enabled);
        Assert.Equal(TracingSamplers.ParentBasedTraceIdRatio, options.Sampler);
        Assert.Equal(1.0, options.SamplingRatio);
        Assert.Null(options.ServiceName);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")]
    public void Read_OtlpEndpointSet_TurnsTracingOn(string variable)
    {
        Assert.True(ConfigureTracingOptions.Read(Config((variable, "http://collector:4318"))).Enabled);
    }

    [Fact]
    public void Read_StandardSamplerVariables_AreTheDefaults()
    {
        var options = ConfigureTracingOptions.Read(Config(("OTEL_TRACES_SAMPLER", "TraceIdRatio"), ("OTEL_TRACES_SAMPLER_ARG", "0.25"), ("OTEL_SERVICE_NAME", "edge-gateway")));

        Assert.Equal(TracingSamplers.TraceIdRatio, options.Sampler);
        Assert.Equal(0.25, options.SamplingRatio);
        Assert.Equal("edge-gateway", options.ServiceName);
    }

    [Fact]
    public void Read_SectionAndVariable_SectionWins()
    {
        var options = ConfigureTracingOptions.Read(Config(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_TRACES_SAMPLER_ARG", "0.25"), ("Tracing:SamplingRatio", "0.5"), ("Tracing:Enabled", "false")));

        Assert.False(options.Enabled);
        Assert.Equal(0.5, options.SamplingRatio);
    }

    [Fact]
    public void Read_BadSamplerAndRatio_FailsWithEveryFix()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => ConfigureTracingOptions.Read(Config(("OTEL_TRACES_SAMPLER", "jaeger_remote"), ("OTEL_TRACES_SAMPLER_ARG", "ten percent"))));

        Assert.Equal(2, failure.Failures.Count());
        Assert.Contains(failure.Failures, f => f.Contains("parentbased_traceidratio", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("from 0 to 1", StringComparison.Ordinal));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
