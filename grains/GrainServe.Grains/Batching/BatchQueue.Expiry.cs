using GrainServe.Contracts;
using GrainServe.Errors;

namespace GrainServe.Batching;

// The queue's three orders kept in step, and the requests that leave it unrun because their time is up.
public sealed partial class BatchQueue
{
    // Takes out of the queue the requests that waited past their timeout and those that can no longer meet their
    // deadline, with their answers; the caller completes them after the lock.
    private List<(Entry Entry, InferenceResult Result)>? TakeExpired(DateTimeOffset now, TimeSpan batchTime)
    {
        List<(Entry, InferenceResult)>? expired = null;
        while (_byTimeout.Min is { } late && late.TimeoutAt < now)
        {
            Remove(late);
            GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.Timeout);
            Statistics.RecordFailures(1, now - late.EnqueuedAt, FailureReason.Rejected);
            (expired ??= []).Add((late, InferenceResult.Failure(InferenceErrorCode.Timeout, $"model '{_modelName}' version {_modelVersion}: the request waited in the queue longer than its {Ms(late.Timeout)} ms timeout; retry")));
        }

        while (_byDeadline.Min is { } due && !BatchPolicy.CanMeet(due.Deadline!.Value, now, batchTime))
        {
            Remove(due);
            GrainServeMetrics.RecordRejected(_modelName, _modelVersion, InferenceErrorCode.DeadlineExceeded);
            Statistics.RecordFailures(1, now - due.EnqueuedAt, FailureReason.Rejected);
            (expired ??= []).Add((due, InferenceResult.Failure(InferenceErrorCode.DeadlineExceeded, $"model '{_modelName}' version {_modelVersion}: the request can no longer be answered by its deadline (it waited {Ms(now - due.EnqueuedAt)} ms; a batch here takes up to about {Ms(batchTime)} ms), so it was not run")));
        }

        return expired;
    }

    // How long until the first waiting request times out or can no longer meet its deadline (a tick past the last
    // instant it still could); null when none has either.
    private TimeSpan? NextExpiry(DateTimeOffset now, TimeSpan batchTime)
    {
        TimeSpan? next = null;
        if (_byTimeout.Min is { TimeoutAt: { } timeoutAt })
        {
            next = timeoutAt - now + TimeSpan.FromTicks(1);
        }

        if (_byDeadline.Min is { Deadline: { } deadline })
        {
            var infeasible = deadline - batchTime - now + TimeSpan.FromTicks(1);
            next = next is { } n && n < infeasible ? n : infeasible;
        }

        return next is { } wait && wait < TimeSpan.Zero ? TimeSpan.Zero : next;
    }

    private void Add(Entry entry)
    {
        _queue.Add(entry);
        if (entry.Deadline is not null)
        {
            _byDeadline.Add(entry);
        }

        if (entry.TimeoutAt is not null)
        {
            _byTimeout.Add(entry);
        }

        _waitingByLevel[entry.Level]++;
    }

    // False when the entry is not queued (a batch took it, or it expired).
    private bool Remove(Entry entry)
    {
        if (!_queue.Remove(entry))
        {
            return false;
        }

        if (entry.Deadline is not null)
        {
            _byDeadline.Remove(entry);
        }

        if (entry.TimeoutAt is not null)
        {
            _byTimeout.Remove(entry);
        }

        _waitingByLevel[entry.Level]--;
        return true;
    }

    private static string Ms(TimeSpan duration) => duration.TotalMilliseconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
