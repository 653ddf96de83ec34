using System.Diagnostics;
using GrainServe.Contracts;

namespace GrainServe.Batching;

public sealed partial class BatchQueue
{
    private sealed class Entry(BatchQueue queue, InferenceRequest request, int rows, string shapeKey, DateTimeOffset enqueuedAt, long arrival)
    {
        // Level first (1 the highest), then earliest deadline (none last), then arrival: Triton's priority queue with
        // EDF inside a level. Arrival is unique, so no two entries compare equal and a set never mistakes one for another.
        public static readonly IComparer<Entry> RunOrder = Comparer<Entry>.Create(static (a, b) =>
        {
            var order = a.Level.CompareTo(b.Level);
            if (order == 0)
            {
                order = (a.Deadline ?? DateTimeOffset.MaxValue).CompareTo(b.Deadline ?? DateTimeOffset.MaxValue);
            }

            return order != 0 ? order : a.Arrival.CompareTo(b.Arrival);
        });

        public static readonly IComparer<Entry> DeadlineOrder = Comparer<Entry>.Create(static (a, b) =>
        {
            var order = Nullable.Compare(a.Deadline, b.Deadline);
            return order != 0 ? order : a.Arrival.CompareTo(b.Arrival);
        });

        public static readonly IComparer<Entry> TimeoutOrder = Comparer<Entry>.Create(static (a, b) =>
        {
            var order = Nullable.Compare(a.TimeoutAt, b.TimeoutAt);
            return order != 0 ? order : a.Arrival.CompareTo(b.Arrival);
        });

        public BatchQueue Queue { get; } = queue;

        public CancellationTokenRegistration Cancellation { get; set; }

        public InferenceRequest Request { get; } = request;

        public int Rows { get; } = rows;

        public string ShapeKey { get; } = shapeKey;

        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

        public long Arrival { get; } = arrival;

        // The priority level, 1 to the model's level count (0 only for a request refused for a bad priority).
        public int Level { get; init; }

        public DateTimeOffset? Deadline { get; init; }

        // When a rejecting queue timeout fails it; null when none does (no timeout, or DELAY).
        public DateTimeOffset? TimeoutAt { get; init; }

        public TimeSpan Timeout { get; init; }

        // The request's span (null while tracing is off), ended by Complete.
        public Activity? Span { get; init; }

        // Completed off the queue's lock and loop: continuations must not run inline on the batch thread.
        public TaskCompletionSource<InferenceResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
