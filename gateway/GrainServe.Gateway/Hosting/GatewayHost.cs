using System.Net;
using System.Security.Cryptography.X509Certificates;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Errors;
using GrainServe.Gateway.Grpc;
using GrainServe.Gateway.Operator;
using GrainServe.Gateway.Rest;
using GrainServe.Gpu;
using GrainServe.Hosting;
using GrainServe.Monitoring;
using GrainServe.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Dashboard;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// Builds the gateway silo: an Orleans silo with ASP.NET Core serving the V2 protocol, and, in the embedded
/// default, the devices too. Program.cs and the tests build it the same way.
/// </summary>
public static class GatewayHost
{
    /// <summary>
    /// Builds the application; <paramref name="configure"/> lets tests add configuration (ports, repository), and
    /// <paramref name="services"/> services (a tracing exporter).
    /// </summary>
    public static WebApplication Build(string[] args, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder.Configuration);
        MetricsExposition.ConfigureProcess(ClusterHostingOptions.SiloNameFrom(builder.Configuration));
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        var failures = new GatewayOptionsValidator().Validate(null, options);
        if (failures.Failed)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), failures.Failures);
        }

        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.SectionName));
        var auth = builder.AddGatewayAuth();
        var certificate = GatewayCertificate.Load(options.Tls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(options.ListenAddress);
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            kestrel.Listen(address, options.HttpPort, listen => UseTls(listen, certificate));
            // gRPC clients speak HTTP/2 without TLS (h2c), which Kestrel serves only on an HTTP/2-only endpoint; with TLS, ALPN picks h2.
            kestrel.Listen(address, options.GrpcPort, listen => UseTls(listen, certificate).Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, options.MetricsPort, listen => UseTls(listen, options.Tls.OnMetricsPort ? certificate : null));
        });

        // Every silo feeds the Orleans dashboard; the gateway shows it on the metrics port, at /dashboard.
        builder.UseOrleans(silo => silo.UseGrainServeCluster(builder.Configuration).AddDashboard()
            .AddGrainServeTracing(builder.Configuration, "grainserve-gateway", tracing => tracing.AddAspNetCoreInstrumentation(o => o.Filter = context => IsTraced(context, options))));
        // JSON console lines (Logging:Console:FormatterName=json) carry their scopes, the request id and the trace id, unless told not to.
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = builder.Configuration.GetValue("Logging:Console:FormatterOptions:IncludeScopes", true));
        builder.Services.AddSingleton<IStartupGate, SiloStartupGate>();
        builder.Services.AddSingleton(sp => new ModelRouter(sp.GetRequiredService<IGrainFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<LocalInstances>()));
        builder.Services.AddSingleton(sp => new RequestWindows(sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<RequestWindows>>()));
        builder.Services.AddSingleton<IInferenceDataPlane, ClusterDataPlane>();
        builder.Services.AddSingleton<GrpcErrorInterceptor>();
        services?.Invoke(builder.Services);
        builder.Services.AddGrpc(grpc =>
        {
            if (auth)
            {
                grpc.Interceptors.Add<GrpcAuthInterceptor>();
            }

            grpc.Interceptors.Add<GrpcErrorInterceptor>();
            grpc.MaxReceiveMessageSize = (int)options.GrpcMaxMessageBytes;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
        });

        var app = builder.Build();
        // Errors first, so that routing failures also answer with the protocol's error body.
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseRouting();
        if (auth)
        {
            app.UseGatewayAuth(options);
        }

        // Every group but health needs a key when auth is on (Auth/ApiKeyRoutes.cs says which scope); gRPC checks its own.
        app.MapV2HealthEndpoints().RequireHost($"*:{options.HttpPort}");
        app.MapV2Endpoints().RequireHost($"*:{options.HttpPort}").RequireApiKey(ApiKeyRequirement.V2);
        app.MapOpenAiEndpoints().RequireHost($"*:{options.HttpPort}").RequireApiKey(ApiKeyRequirement.OpenAi);
        app.MapGrpcService<GrpcInferenceService>().RequireHost($"*:{options.GrpcPort}");
        app.MapGet("/metrics", MetricsEndpoint.WriteAsync).RequireHost($"*:{options.MetricsPort}").RequireApiKey(ApiKeyRequirement.MetricsPort);
        app.MapOrleansDashboard("/dashboard").RequireHost($"*:{options.MetricsPort}").RequireApiKey(ApiKeyRequirement.MetricsPort);
        // GrainServe's own operator page, at / on the metrics port, with its JSON API under /api.
        app.MapOperatorEndpoints().RequireHost($"*:{options.MetricsPort}").RequireApiKey(ApiKeyRequirement.MetricsPort);
        app.MapFallback(context => ErrorResponse.WriteNotFoundAsync(context));
        return app;
    }

    private static ListenOptions UseTls(ListenOptions listen, X509Certificate2? certificate) =>
        certificate is null ? listen : listen.UseHttps(certificate);

    // Probes and scrapes come every few seconds and tell nothing about a request: only the protocol's routes are traced.
    private static bool IsTraced(HttpContext context, GatewayOptions options) =>
        context.Connection.LocalPort != options.MetricsPort && !context.Request.Path.StartsWithSegments("/v2/health", StringComparison.Ordinal);
}
