namespace GrainServe.Batching;

/// <summary>
/// Triton's dynamic batching decision as pure logic: given the queue and the clock, run a batch now or wait.
/// </summary>
/// <remarks>
/// The batch is the longest prefix of the queue whose requests share a shape and whose rows fit
/// <c>max_batch_size</c>. It runs at once when it cannot grow (full, or the next request does not fit or
/// has another shape); when a preferred size can be formed it runs
/// that many rows; otherwise it waits until the oldest request has waited <c>max_queue_delay</c>.
/// (triton core/src/dynamic_batch_scheduler.cc, GetDynamicBatch.)
/// </remarks>
public static class BatchPolicy
{
    /// <summary>Decides for the queue <paramref name="pending"/>, oldest first.</summary>
    public static BatchDecision Decide(IReadOnlyList<PendingBatchItem> pending, DateTimeOffset now, BatchingSettings settings)
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

        var waited = now - pending[0].EnqueuedAt;
        if (waited >= settings.MaxQueueDelay)
        {
            return BatchDecision.RunNow(count);
        }

        return BatchDecision.Wait(settings.MaxQueueDelay - waited);
    }
}
