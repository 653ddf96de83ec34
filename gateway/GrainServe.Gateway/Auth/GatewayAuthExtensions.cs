using GrainServe.Gateway.Hosting;
using GrainServe.Gateway.Quotas;
using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Auth;

/// <summary>Wires the API keys into the gateway: nothing at all while <see cref="AuthOptions.Enabled"/> is false.</summary>
internal static class GatewayAuthExtensions
{
    /// <summary>Registers the options (checked now), the keys, the sessions and the gRPC check; true when auth is on.</summary>
    public static bool AddGatewayAuth(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthOptions.SectionName);
        builder.Services.Configure<AuthOptions>(section);
        // Checked here, before anything reads a key, as GatewayHost checks its own options: a bad setting stops the build.
        var options = section.Get<AuthOptions>() ?? new AuthOptions();
        var failures = new AuthOptionsValidator().Validate(null, options);
        if (failures.Failed)
        {
            throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions), failures.Failures);
        }

        if (!options.Enabled)
        {
            return false;
        }

        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton(sp => new ApiKeySessions(sp.GetRequiredService<ApiKeyStore>(), sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddHostedService(sp => new ApiKeyFileWatcher(sp.GetRequiredService<ApiKeyStore>(), sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddSingleton<GrpcAuthInterceptor>();
        builder.Services.AddSingleton<QuotaMetrics>();
        builder.Services.AddSingleton(sp => new QuotaGate(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<QuotaMetrics>(), sp.GetRequiredService<ILogger<QuotaGate>>()));
        builder.Services.AddHostedService(sp => new QuotaLeaseSweeper(sp.GetRequiredService<QuotaGate>(), sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<QuotaLeaseSweeper>>()));
        // The generation routes find the caller's identity for its tokens quota through the HTTP context.
        builder.Services.AddHttpContextAccessor();
        return true;
    }

    /// <summary>The REST check, after routing (it reads the route's requirement and its <c>{model}</c>), and the metrics port's sign-in.</summary>
    public static void UseGatewayAuth(this WebApplication app, GatewayOptions options)
    {
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapSignInEndpoints($"*:{options.MetricsPort}");
    }
}
