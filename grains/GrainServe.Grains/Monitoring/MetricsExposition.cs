using System.Text;
using GrainServe.Generation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Prometheus;

namespace GrainServe.Monitoring;

/// <summary>
/// What <c>GET /metrics</c> serves on every silo's metrics port, the gateway's and the device silos' alike: the chosen
/// runtime series (process, .NET, ASP.NET Core, Orleans), the <c>grainserve_*</c> series, Triton's <c>nv_*</c> families
/// and vLLM's <c>vllm:*</c> ones. Triton's and vLLM's are written by hand: the meter adapter rewrites names, and
/// cannot write <c>vllm:</c> or keep <c>nv_inference_count</c> free of a <c>_total</c> suffix.
/// </summary>
public static class MetricsExposition
{
    /// <summary>The Prometheus text format's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // The runtime series worth an operator's scrape. Everything else the runtime emits (dozens of
    // private.InternalDiagnostics.System.Net.Quic series, System.Net.* socket internals) is dropped.
    private static readonly string[] RuntimeMeters = ["System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans"];

    private static readonly Lock Gate = new();
    private static bool _configured;

    /// <summary>
    /// Chooses the process's series and labels them all <c>silo</c>. Call once, before the host builds (prometheus-net
    /// takes static labels only before its first series); later calls in the same process (tests that start several
    /// hosts) keep the first silo's name.
    /// </summary>
    public static void ConfigureProcess(string silo)
    {
        lock (Gate)
        {
            if (_configured)
            {
                return;
            }

            _configured = true;
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressDebugMetrics = true, SuppressEventCounters = true, SuppressMeters = false, SuppressProcessMetrics = false });
            Metrics.DefaultRegistry.SetStaticLabels(new Dictionary<string, string> { ["silo"] = silo });
            Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument => RuntimeMeters.Contains(instrument.Meter.Name, StringComparer.Ordinal));
        }
    }

    /// <summary>Writes every family to <paramref name="body"/>.</summary>
    public static async Task WriteAsync(IServiceProvider services, Stream body, CancellationToken cancellationToken)
    {
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(body, cancellationToken);
        var silo = services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName ?? "";
        var text = new StringBuilder();
        services.GetRequiredService<InferenceMetrics>().Write(text, silo);
        services.GetRequiredService<HostMetrics>().Write(text, silo);
        GenerationMetrics.Write(text, silo);
        await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }
}
