using GrainServe.Contracts;

namespace GrainServe.Batching;

/// <summary>
/// An instance's recent batch duration and batch size, as exponential moving averages, and the spread of the duration:
/// what its queue allows a batch when it checks deadlines, and what it reports to gateways with every answer. Written
/// by the batch loop, read by any caller.
/// </summary>
/// <remarks>
/// The allowance is the mean plus twice the mean deviation, as TCP's retransmission timer is (RFC 6298, with 2 for
/// its 4): a deadline judged by the mean alone is met by half the batches, and a batch started just in time by the
/// mean finishes late as often as not, so the device spends itself on answers that come too late.
/// </remarks>
public sealed class BatchDurationEstimate
{
    // The newest batch's weight: the last eight or so batches count, so the figures follow a change of load within a
    // second at a few batches a second, and one slow batch (a collection, a cold cache) moves them by a quarter only.
    private const double Weight = 0.25;

    private readonly Lock _lock = new();
    private double _ticks;
    private double _deviationTicks;
    private double _requests;
    private bool _measured;

    /// <summary>The recent mean batch duration; zero until a batch ran.</summary>
    public TimeSpan BatchTime
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromTicks((long)_ticks);
            }
        }
    }

    /// <summary>What a deadline must leave for a batch: the mean duration plus twice its mean deviation; zero until a batch ran.</summary>
    public TimeSpan Allowance
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromTicks((long)(_ticks + 2 * _deviationTicks));
            }
        }
    }

    /// <summary>The mean duration and batch size; null until a batch ran.</summary>
    public ServiceEstimate? Current
    {
        get
        {
            lock (_lock)
            {
                return _measured ? new ServiceEstimate(TimeSpan.FromTicks((long)_ticks), _requests) : null;
            }
        }
    }

    /// <summary>Counts a batch of <paramref name="requests"/> requests that took <paramref name="duration"/>.</summary>
    public void Record(TimeSpan duration, int requests)
    {
        lock (_lock)
        {
            if (!_measured)
            {
                // As RFC 6298's first measurement: the spread starts at half the sample.
                (_ticks, _deviationTicks, _requests, _measured) = (duration.Ticks, duration.Ticks / 2.0, requests, true);
                return;
            }

            _deviationTicks += Weight * (Math.Abs(duration.Ticks - _ticks) - _deviationTicks);
            _ticks += Weight * (duration.Ticks - _ticks);
            _requests += Weight * (requests - _requests);
        }
    }
}
