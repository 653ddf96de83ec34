namespace GrainServe.Batching;

/// <summary>
/// What the batch policy decided: run the first <see cref="Count"/> requests now, or wait.
/// </summary>
/// <param name="Count">How many requests from the front of the queue form the batch; 0 to wait.</param>
/// <param name="WaitFor">When waiting, how long until the policy must be asked again; null to wait for the next request.</param>
public readonly record struct BatchDecision(int Count, TimeSpan? WaitFor)
{
    /// <summary>Run the first <paramref name="count"/> requests now.</summary>
    public static BatchDecision RunNow(int count) => new(count, null);

    /// <summary>Wait at most <paramref name="delay"/>, or until a request arrives.</summary>
    public static BatchDecision Wait(TimeSpan delay) => new(0, delay);

    /// <summary>Nothing is queued: wait for a request.</summary>
    public static BatchDecision Idle { get; } = new(0, null);
}
