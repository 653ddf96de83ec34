namespace GrainServe.Batching;

/// <summary>
/// Triton's dynamic batching decision as pure logic, with deadlines: given the queue and the clock, run a batch now or
/// wait.
/// </summary>
/// <remarks>
/// The queue is in run order: by priority level, then earliest deadline first, then arrival. The batch is the
/// longest prefix whose requests share a shape and whose rows fit <c>max_batch_size</c>. It runs at once when it
/// cannot grow (full, or the next request does not fit or has another shape); when a preferred size can be formed it
/// runs that many rows; otherwise it waits until its oldest request has waited <c>max_queue_delay</c>, or until a
/// member would have to start to meet its deadline, whichever comes first: waiting for company never costs a member
/// its deadline. (triton core/src/dynamic_batch_scheduler.cc, GetDynamicBatch; the deadlines are GrainServe's.)
/// </remarks>
public static class BatchPolicy
{
    /// <summary>
    /// Decides for the queue <paramref name="pending"/>, in run order. <paramref name="batchTime"/> is what a batch is
    /// expected to take (the instance's recent batch duration); zero when unknown, and then a batch with a deadline
    /// among its members runs at once, since there is no telling how long it could wait.
    /// </summary>
    public static BatchDecision Decide(IReadOnlyList<PendingBatchItem> pending, DateTimeOffset now, BatchingSettings settings, TimeSpan batchTime = default)
    {
        if (pending.Count == 0)
        {
            return BatchDecision.Idle;
        }

        if (!settings.Dynamic || settings.MaxBatchSize <= 0)
        {
            return BatchDecision.RunNow(1);
        }

        var rows = 0;
        var count = 0;
        var preferredCount = 0;
        var canGrow = true;
        var shape = pending[0].ShapeKey;
        var oldest = DateTimeOffset.MaxValue;
        var latestStart = DateTimeOffset.MaxValue;
        var anyDeadline = false;
        foreach (var item in pending)
        {
            if (item.ShapeKey != shape || rows + item.Rows > settings.MaxBatchSize)
            {
                canGrow = false;
                break;
            }

            rows += item.Rows;
            count++;
            if (settings.PreferredBatchSizes.Contains(rows))
            {
                preferredCount = count;
            }

            oldest = item.EnqueuedAt < oldest ? item.EnqueuedAt : oldest;
            if (item.Deadline is { } deadline)
            {
                anyDeadline = true;
                latestStart = deadline - batchTime < latestStart ? deadline - batchTime : latestStart;
            }
        }

        // A single request larger than max_batch_size never reaches here: validation refuses it.
        count = Math.Max(count, 1);
        if (!canGrow || rows >= settings.MaxBatchSize)
        {
            return BatchDecision.RunNow(count);
        }

        if (preferredCount > 0)
        {
            return BatchDecision.RunNow(preferredCount);
        }

        // Past the largest preferred size without meeting one exactly: waiting cannot make it preferred.
        if (settings.PreferredBatchSizes.Count > 0 && rows > settings.PreferredBatchSizes[^1])
        {
            return BatchDecision.RunNow(count);
        }

        // The queue is not FIFO, so the oldest member is not always the first.
        var delayLeft = settings.MaxQueueDelay - (now - oldest);
        var slack = latestStart == DateTimeOffset.MaxValue ? TimeSpan.MaxValue : latestStart - now;
        if (delayLeft <= TimeSpan.Zero || slack <= TimeSpan.Zero || (anyDeadline && batchTime <= TimeSpan.Zero))
        {
            return BatchDecision.RunNow(count);
        }

        return BatchDecision.Wait(delayLeft < slack ? delayLeft : slack);
    }

    /// <summary>
    /// Whether a request due at <paramref name="deadline"/> can still be answered by it when its batch, expected to take
    /// <paramref name="batchTime"/>, starts at <paramref name="now"/> at the earliest. A batch that would end exactly at
    /// the deadline still meets it.
    /// </summary>
    public static bool CanMeet(DateTimeOffset deadline, DateTimeOffset now, TimeSpan batchTime) =>
        now < deadline && now + batchTime <= deadline;
}
