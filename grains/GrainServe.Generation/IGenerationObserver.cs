namespace GrainServe.Generation;

/// <summary>Hears the engine's per-request timings, for latency histograms. Called on the engine's loop: keep it cheap.</summary>
public interface IGenerationObserver
{
    /// <summary>A sequence produced its first token, <paramref name="timeToFirstToken"/> after it was submitted.</summary>
    void OnFirstToken(TimeSpan timeToFirstToken);

    /// <summary>A sequence produced a later token, <paramref name="interTokenLatency"/> after its previous one.</summary>
    void OnNextToken(TimeSpan interTokenLatency);

    /// <summary>A sequence finished, <paramref name="endToEnd"/> after it was submitted.</summary>
    void OnFinished(FinishReason reason, TimeSpan endToEnd, int promptTokens, int generationTokens);
}
