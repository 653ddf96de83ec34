namespace GrainServe.Batching;

/// <summary>One answered request's times: how long it waited for its batch, and how long it took in all.</summary>
public readonly record struct RequestTiming(TimeSpan Queue, TimeSpan Total);
