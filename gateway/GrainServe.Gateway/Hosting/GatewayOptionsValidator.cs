using System.Net;
using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Hosting;

/// <summary>Checks <see cref="GatewayOptions"/> at start and says how to fix each problem.</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <summary>Orleans' default <c>MaxMessageBodySize</c>: a request must fit in one grain message.</summary>
    public const long MaxMessageBodyBytes = 100L << 20;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.ListenAddress)} '{options.ListenAddress}' is not an IP address; use 127.0.0.1 or 0.0.0.0.");
        }

        foreach (var (port, label) in new[] { (options.HttpPort, nameof(GatewayOptions.HttpPort)), (options.GrpcPort, nameof(GatewayOptions.GrpcPort)), (options.MetricsPort, nameof(GatewayOptions.MetricsPort)) })
        {
            if (port is < 1 or > 65535)
            {
                failures.Add($"{GatewayOptions.SectionName}:{label} is {port}; use a port between 1 and 65535.");
            }
        }

        if (new[] { options.HttpPort, options.GrpcPort, options.MetricsPort }.Distinct().Count() < 3)
        {
            failures.Add($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.HttpPort)}, {nameof(GatewayOptions.GrpcPort)} and {nameof(GatewayOptions.MetricsPort)} must differ.");
        }

        if (options.GrpcMaxMessageBytes <= 0 || options.GrpcMaxMessageBytes >= MaxMessageBodyBytes)
        {
            failures.Add($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.GrpcMaxMessageBytes)} is {options.GrpcMaxMessageBytes}; set it above 0 and below Orleans' 100 MiB message limit, for example 67108864.");
        }

        if (options.MaxRequestBytes <= 0 || options.MaxRequestBytes >= MaxMessageBodyBytes)
        {
            failures.Add($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.MaxRequestBytes)} is {options.MaxRequestBytes}; set it above 0 and below Orleans' 100 MiB message limit, for example 67108864.");
        }

        var tls = options.Tls;
        if (tls.CertificatePath is not null || tls.KeyPath is not null)
        {
            foreach (var (path, label) in new[] { (tls.CertificatePath, nameof(GatewayTlsOptions.CertificatePath)), (tls.KeyPath, nameof(GatewayTlsOptions.KeyPath)) })
            {
                if (path is null)
                {
                    failures.Add($"{GatewayOptions.SectionName}:Tls:{label} is missing; TLS needs both the certificate and its key, PEM files (a TLS Secret's tls.crt and tls.key).");
                }
                else if (!File.Exists(path))
                {
                    failures.Add($"{GatewayOptions.SectionName}:Tls:{label} '{path}' does not exist; point it at a PEM file.");
                }
            }
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
