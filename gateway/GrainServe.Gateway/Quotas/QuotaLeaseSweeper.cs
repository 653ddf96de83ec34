using GrainServe.Gateway.Auth;
using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Quotas;

/// <summary>
/// Returns expired leases' unspent tokens once a lease lifetime: without it a gateway that goes idle would keep its share
/// of a key's bucket out of the other gateways' reach until the bucket refilled.
/// </summary>
internal sealed partial class QuotaLeaseSweeper(QuotaGate gate, IOptions<AuthOptions> options, TimeProvider time, ILogger<QuotaLeaseSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.QuotaLeaseLifetime, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await gate.ReturnExpiredAsync();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The tokens are lost to this sweep only: the bucket refills them anyway.
                    LogReturnFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = EventIds.QuotaLeaseReturnFailed, EventName = nameof(EventIds.QuotaLeaseReturnFailed), Level = LogLevel.Warning, Message = "Unspent quota tokens could not be returned to the cluster")]
    private static partial void LogReturnFailed(ILogger logger, Exception exception);
}
