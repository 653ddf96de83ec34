namespace GrainServe.Batching;

/// <summary>
/// Hears each request's times as an instance records them, for figures that need every request rather than totals
/// (latency summaries, the first-response histogram). Called on the batch loop: implementations must be quick.
/// </summary>
public interface IRequestTimingListener
{
    /// <summary>A request succeeded; <paramref name="input"/>, <paramref name="infer"/> and <paramref name="output"/> are its batch's compute phases.</summary>
    void OnSuccess(RequestTiming timing, TimeSpan input, TimeSpan infer, TimeSpan output);

    /// <summary>A streamed request sent its first response, <paramref name="sinceArrival"/> after it arrived.</summary>
    void OnFirstResponse(TimeSpan sinceArrival);
}
