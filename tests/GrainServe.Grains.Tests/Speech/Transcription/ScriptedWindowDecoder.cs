namespace GrainServe.Speech.Transcription;

/// <summary>
/// An <see cref="IWindowDecoder"/> that answers each call with the next scripted result, in order, and records the
/// requests it was given.
/// </summary>
internal sealed class ScriptedWindowDecoder : IWindowDecoder
{
    private readonly Queue<WindowDecodeResult> _script = new();

    public List<WindowDecodeRequest> Requests { get; } = [];

    /// <summary>Every event in order, "decode@{seek}" for each call, so tests can interleave other events.</summary>
    public List<string> Log { get; } = [];

    public ScriptedWindowDecoder Then(IReadOnlyList<int> tokens, double avgLogprob = -0.25, double noSpeechProb = 0.01, string language = "en")
    {
        _script.Enqueue(new WindowDecodeResult(tokens, language, avgLogprob, noSpeechProb));
        return this;
    }

    public Task<WindowDecodeResult> DecodeAsync(WindowDecodeRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(request);
        Log.Add($"decode@{request.Seek}");
        Assert.True(_script.Count > 0, $"No scripted result left for the window at frame {request.Seek} (T={request.Temperature}).");
        return Task.FromResult(_script.Dequeue());
    }
}
