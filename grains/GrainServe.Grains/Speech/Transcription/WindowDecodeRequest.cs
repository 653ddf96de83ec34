namespace GrainServe.Speech.Transcription;

/// <summary>One 30 s window to decode, with whisper's <c>DecodingOptions</c> for it.</summary>
/// <param name="Seek">The window's first mel frame (10 ms each) in the whole spectrogram: whisper's <c>seek</c>.</param>
/// <param name="FrameCount">
/// The frames of audio in the window (whisper's <c>segment_size</c>): <see cref="WhisperTranscriber.FramesPerWindow"/>
/// (3000) except for the last window, which the decoder pads with silence to 3000 frames as <c>pad_or_trim</c> does.
/// </param>
/// <param name="Prompt">
/// The previous text to condition on, already cut to its last <see cref="WhisperTranscriber.MaxPromptTokens"/> (223)
/// tokens; timestamp tokens included. The decoder lays the context out as <c>[&lt;|startofprev|&gt;, prompt…,
/// &lt;|startoftranscript|&gt;, language, task, (&lt;|notimestamps|&gt;)]</c>, and leaves out
/// <c>&lt;|startofprev|&gt;</c> too when the prompt is empty, as <c>decoding.py</c> does.
/// </param>
/// <param name="Language">The language code (<c>en</c>, <c>de</c>, …), or null to detect it from this window.</param>
/// <param name="Task">Transcribe or translate.</param>
/// <param name="WithTimestamps">Whether to sample timestamp tokens; false adds <c>&lt;|notimestamps|&gt;</c>.</param>
/// <param name="Temperature">The sampling temperature; 0 is greedy (or beam search when <paramref name="BeamSize"/> is set).</param>
/// <param name="SampleLength">The most tokens to sample (<c>sample_len</c>): 224, half the text context, by default.</param>
/// <param name="BeamSize">Beams for beam search, or null for greedy; only ever set at temperature 0.</param>
/// <param name="BestOf">Independent samples to pick the best of, or null for one; only ever set above temperature 0.</param>
public sealed record WindowDecodeRequest(
    int Seek,
    int FrameCount,
    IReadOnlyList<int> Prompt,
    string? Language,
    TranscriptionTask Task,
    bool WithTimestamps,
    double Temperature,
    int SampleLength,
    int? BeamSize,
    int? BestOf);
