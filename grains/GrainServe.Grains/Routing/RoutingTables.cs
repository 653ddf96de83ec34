using System.Collections.Concurrent;
using GrainServe.Errors;
using GrainServe.Models;

namespace GrainServe.Routing;

/// <summary>
/// A gateway's cache of routing tables, one per model it served lately. A background loop asks each model grain for a
/// newer table every <see cref="RefreshPeriod"/>, sending this gateway's requests in flight as it does (the model grain's
/// load signal); a model unused for <see cref="IdleLifetime"/> is dropped, and its next request fetches a fresh table.
/// </summary>
internal sealed class RoutingTables : IAsyncDisposable
{
    /// <summary>How stale a table may get: changes reach every gateway within this.</summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(60);

    // Longer than failure detection (about 3 s), shorter than a client's patience: how long a model grain lost with its
    // silo is called again before the request is told to retry.
    private static readonly TimeSpan RetryDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly string _gateway = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<string, Lazy<Task<RoutedModel>>> _models = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public RoutingTables(IGrainFactory grains, TimeProvider time)
    {
        _grains = grains;
        _time = time;
    }

    /// <summary>The model's table, fetched on first use. Throws <see cref="InferenceException"/> for an unknown model.</summary>
    public async Task<RoutedModel> GetAsync(string model, CancellationToken cancellationToken)
    {
        EnsureLoop();
        var entry = _models.GetOrAdd(model, name => new Lazy<Task<RoutedModel>>(() => FetchAsync(name)));
        try
        {
            var routed = await entry.Value.WaitAsync(cancellationToken);
            routed.Touch(_time.GetUtcNow());
            return routed;
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            // Not cached: the next request asks again (the model may be added to the repository, or its grain come back).
            _models.TryRemove(new KeyValuePair<string, Lazy<Task<RoutedModel>>>(model, entry));
            throw;
        }
    }

    /// <summary>Tells the model grain that <paramref name="lost"/> is gone (or that the version has no instance) and takes the table it answers.</summary>
    public async Task RecoverAsync(RoutedModel routed, string version, RoutedInstance? lost, CancellationToken cancellationToken)
    {
        var table = await CallAsync(routed.Table.Model, grain => grain.Recover(version, lost), cancellationToken);
        routed.Apply(table, authoritative: true);
    }

    /// <summary>Fetches the model's table now, for a change this gateway made itself (a load, an unload).</summary>
    public async Task RefreshAsync(string model, CancellationToken cancellationToken)
    {
        if (_models.TryGetValue(model, out var entry) && entry.Value.IsCompletedSuccessfully)
        {
            var routed = entry.Value.Result;
            if (await CallAsync(model, grain => grain.GetRoutingTable(routed.Table.Revision, null), cancellationToken) is { } table)
            {
                routed.Apply(table);
            }
        }
    }

    /// <summary>The tables this gateway holds now, for its metrics (the weights in force).</summary>
    public IReadOnlyList<RoutingTable> Cached() =>
        [.. _models.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully).Select(e => e.Value.Result.Table)];

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stopping.Dispose();
    }

    private async Task<RoutedModel> FetchAsync(string model)
    {
        var table = await CallAsync(model, grain => grain.GetRoutingTable(0, null), _stopping.Token);
        return new RoutedModel(_grains, table!, _time.GetUtcNow());
    }

    // A model grain whose silo died is activated again elsewhere once the silo is out of the membership table (a few
    // seconds): calls that were not delivered are sent again until RetryDeadline.
    private async Task<T> CallAsync<T>(string model, Func<IModelGrain, Task<T>> call, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + RetryDeadline;
        while (true)
        {
            try
            {
                return await call(_grains.GetGrain<IModelGrain>(model)).WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ClusterFailure.IsUndelivered(ex) && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(RetryBackoff, _time, cancellationToken);
            }
        }
    }

    private void EnsureLoop()
    {
        if (_loop is null)
        {
            lock (_models)
            {
                _loop ??= Task.Run(RefreshLoopAsync);
            }
        }
    }

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(RefreshPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await Task.WhenAll(_models.ToArray().Select(entry => RefreshOneAsync(entry.Key, entry.Value)));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The gateway is stopping.
        }
    }

    private async Task RefreshOneAsync(string model, Lazy<Task<RoutedModel>> entry)
    {
        if (!entry.Value.IsCompletedSuccessfully)
        {
            return;
        }

        var routed = entry.Value.Result;
        if (_time.GetUtcNow() - routed.LastUsed > IdleLifetime)
        {
            _models.TryRemove(new KeyValuePair<string, Lazy<Task<RoutedModel>>>(model, entry));
            return;
        }

        var report = new RoutingReport { Gateway = _gateway, Ongoing = routed.Ongoing(), Traffic = routed.TakeTraffic() };
        try
        {
            if (await _grains.GetGrain<IModelGrain>(model).GetRoutingTable(routed.Table.Revision, report).WaitAsync(_stopping.Token) is { } table)
            {
                routed.Apply(table);
            }
        }
        catch (InferenceException ex) when (ex.Code == InferenceErrorCode.ModelNotFound)
        {
            // The model left the repository.
            _models.TryRemove(new KeyValuePair<string, Lazy<Task<RoutedModel>>>(model, entry));
        }
        catch (Exception ex) when (ex is InferenceException || ClusterFailure.IsUnreachable(ex))
        {
            // The next tick tries again; requests keep the table they have, which is safe if stale, and the counts go
            // back for the next report. (A report that reached the grain and timed out on its way back may then be
            // counted twice; losing a failing canary's errors would be worse.)
            routed.ReturnTraffic(report.Traffic);
        }
    }
}
