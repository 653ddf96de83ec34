namespace GrainServe.Models;

/// <summary>
/// Request-based autoscaling of one version, with Ray Serve's rule: the instances wanted are
/// <c>ceil(ongoing / target_ongoing_requests)</c> within <c>[min_instances, max_instances]</c>, and a change is made only
/// once the wish for it has lasted its delay. Pure: the caller passes the state of the world and the time, and applies
/// the decision.
/// </summary>
/// <remarks>
/// <para>
/// "Ongoing" is every request in flight for the version, queued or running, summed over its instances and gateways;
/// for generation models it is the sequences waiting plus running, since one request holds an instance for its whole
/// generation.
/// </para>
/// <para>
/// Rules, in order: below min or above max, the bound applies at once (a config change, a lost instance); at 0 with a
/// request waiting, 1 at once (a cold start does not wait out a delay); otherwise a rise is applied once more
/// instances have been wanted for <c>upscale_delay_s</c> without a break, a fall once fewer have been wanted for
/// <c>downscale_delay_s</c>, and the last instance goes (only with <c>min_instances</c> 0) once nothing has been in
/// flight for <c>scale_to_zero_delay_s</c>, whatever <c>downscale_delay_s</c> is. Any decision in the other direction
/// breaks a wish, so load that swings faster than the delays changes nothing. A rise applies the smallest count wanted
/// during the wish and a fall the largest, the count that the whole delay agreed on.
/// </para>
/// <para>
/// The wishes are timed between calls, so call <see cref="Decide"/> on a regular tick (about a second) and when a
/// request arrives at a version with no instance. Not thread-safe: one caller, as a grain is.
/// </para>
/// </remarks>
public sealed class Autoscaler
{
    private readonly AutoscalingConfig _config;
    private DateTimeOffset? _upSince;
    private int _upLeast;
    private DateTimeOffset? _downSince;
    private int _downMost;
    private DateTimeOffset? _idleSince;

    /// <summary>An autoscaler with no wish pending, for a version scaled by <paramref name="config"/>.</summary>
    public Autoscaler(AutoscalingConfig config) => _config = config;

    /// <summary>The instances <paramref name="ongoing"/> requests in flight want, within the bounds, before any delay.</summary>
    public static int Desired(AutoscalingConfig config, int ongoing)
    {
        // Clamped as a double first: a tiny target would overflow int.
        var wanted = ongoing <= 0 ? 0 : Math.Ceiling(ongoing / config.TargetOngoingRequests);
        return (int)Math.Clamp(wanted, config.MinInstances, config.MaxInstances);
    }

    /// <summary>
    /// The instances the version should have at <paramref name="now"/>, given it has <paramref name="current"/> and
    /// <paramref name="ongoing"/> requests in flight.
    /// </summary>
    public ScalingDecision Decide(int current, int ongoing, DateTimeOffset now)
    {
        _idleSince = ongoing > 0 ? null : _idleSince ?? now;
        if (current < _config.MinInstances || current > _config.MaxInstances)
        {
            return Applied(Math.Clamp(current, _config.MinInstances, _config.MaxInstances));
        }

        if (current == 0 && ongoing > 0)
        {
            return Applied(1);
        }

        var desired = Desired(_config, ongoing);
        var idleFor = now - (_idleSince ?? now);
        var zeroDelay = TimeSpan.FromSeconds(_config.ScaleToZeroDelayS);
        if (desired == 0 && current > 0 && idleFor < zeroDelay)
        {
            // Until the version has been idle long enough to unload, it keeps one instance, and reaching one is an
            // ordinary fall under downscale_delay_s.
            desired = 1;
        }

        if (desired > current)
        {
            _downSince = null;
            _upLeast = _upSince is null ? desired : Math.Min(_upLeast, desired);
            _upSince ??= now;
            return Waited(current, _upLeast, _upSince.Value, TimeSpan.FromSeconds(_config.UpscaleDelayS), now);
        }

        _upSince = null;
        if (desired == current)
        {
            _downSince = null;
            return new ScalingDecision(current, ZeroDue(current, idleFor, zeroDelay));
        }

        if (desired == 0)
        {
            // The idle time itself was the wait: to zero uses scale_to_zero_delay_s, not downscale_delay_s.
            return Applied(0);
        }

        _downMost = _downSince is null ? desired : Math.Max(_downMost, desired);
        _downSince ??= now;
        return Waited(current, _downMost, _downSince.Value, TimeSpan.FromSeconds(_config.DownscaleDelayS), now);
    }

    private ScalingDecision Waited(int current, int target, DateTimeOffset since, TimeSpan delay, DateTimeOffset now)
    {
        var left = delay - (now - since);
        return left <= TimeSpan.Zero ? Applied(target) : new ScalingDecision(current, left);
    }

    // After a change, a new wish must last its own delay.
    private ScalingDecision Applied(int instances)
    {
        _upSince = null;
        _downSince = null;
        return new ScalingDecision(instances, null);
    }

    // At one instance and idle, with scale to zero allowed, the unload is due once the idle time reaches the delay.
    private TimeSpan? ZeroDue(int current, TimeSpan idleFor, TimeSpan zeroDelay) =>
        current == 1 && _config.MinInstances == 0 && _idleSince is not null ? zeroDelay - idleFor : null;
}
