using GrainServe.Generation;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// Lets the GPT sample only audio codes and the stop code (XTTS's <c>mel_head</c> has no text logits; here one head
/// covers the whole id space, so text ids and the start code are masked). Stateless: one instance serves every sequence.
/// </summary>
internal sealed class AudioCodeFilter(int audioCodes, int stopAudioToken) : ILogitsProcessor
{
    public void Process(ReadOnlySpan<int> output, Span<float> logits)
    {
        for (var id = audioCodes; id < logits.Length; id++)
        {
            if (id != stopAudioToken)
            {
                logits[id] = float.NegativeInfinity;
            }
        }
    }
}
