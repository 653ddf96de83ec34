using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// Polls the keys file every <see cref="AuthOptions.ReloadInterval"/>. Polling rather than a FileSystemWatcher: a Secret
/// volume changes by a symlink swap in a parent folder, which watchers miss, and a poll of a small file costs nothing.
/// Taking the store in its constructor also makes the host read the keys (and fail on a bad file) at start.
/// </summary>
internal sealed class ApiKeyFileWatcher(ApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.KeysFile is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ReloadInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            store.Reload();
        }
    }
}
