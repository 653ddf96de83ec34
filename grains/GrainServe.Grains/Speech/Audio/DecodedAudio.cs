namespace GrainServe.Speech.Audio;

/// <summary>An upload decoded to what Whisper's front end reads: 16 kHz mono float32 samples, nominally in [-1, 1].</summary>
/// <param name="Samples">The samples at 16 kHz, channels averaged into one.</param>
/// <param name="SourceSampleRate">The file's own sample rate in Hz, before resampling; 0 when ffmpeg's description of the stream did not name one.</param>
/// <param name="SourceChannels">The file's channel count, before the downmix; 0 when ffmpeg's description of the stream named a layout not known here.</param>
/// <param name="Format">The container detected from the file's first bytes: <c>wav</c>, <c>flac</c>, <c>mp3</c>, <c>ogg</c>, <c>opus</c>, <c>aac</c>, <c>m4a</c>, <c>webm</c>, <c>aiff</c>, <c>amr</c> or <c>rf64</c>.</param>
/// <param name="DurationSeconds">The audio's length in seconds: the source's frames over its rate for WAV, the 16 kHz sample count over 16000 for the formats ffmpeg decodes.</param>
public sealed record DecodedAudio(float[] Samples, int SourceSampleRate, int SourceChannels, string Format, double DurationSeconds);
