namespace GrainServe.Speech.Synthesis;

/// <summary>
/// One loaded voice model: text in, audio out as it is made. <see cref="SynthesisInstance"/> puts it behind the V2 infer
/// route and the streaming data path, so each kind of voice (Piper, XTTS) only says how to speak.
/// </summary>
internal interface ISpeechSynthesizer : IAsyncDisposable
{
    /// <summary>Samples per second of the audio this model makes.</summary>
    int SampleRate { get; }

    /// <summary>The longest text one request may hold (<c>max_input_chars</c>).</summary>
    int MaxCharacters { get; }

    /// <summary>Request parameters this kind reads beyond voice, speed, language and seed; any other is a 400.</summary>
    IReadOnlyCollection<string> ExtraParameters { get; }

    /// <summary>Syntheses accepted and not yet making audio: Triton's pending count.</summary>
    int Waiting { get; }

    /// <summary>Device time spent so far (busy seconds), counted once where syntheses share a step.</summary>
    TimeSpan ComputeTime { get; }

    /// <summary>Checks what only the model knows (the voice, the language, its own parameters): a message for a 400, or null.</summary>
    string? Validate(SynthesisRequest request);

    /// <summary>
    /// Speaks <paramref name="request"/>: mono samples in [-1, 1], each array the next stretch of the utterance, the first
    /// as early as the model can. Throws <see cref="Errors.InferenceException"/> for a failure with a code a client can
    /// act on; anything else is a server fault.
    /// </summary>
    IAsyncEnumerable<float[]> SynthesizeAsync(SynthesisRequest request, CancellationToken cancellationToken);
}
