namespace GrainServe.Speech.Xtts;

/// <summary>A window's decode: the samples of stretched rows <paramref name="From"/> on (the batcher may have started before the window asked).</summary>
/// <param name="Wav">The samples, <c>(count − From) × hop</c> of them.</param>
/// <param name="From">The row the samples start at.</param>
internal sealed record VocoderDecode(float[] Wav, int From);
