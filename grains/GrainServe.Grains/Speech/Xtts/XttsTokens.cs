using System.Text;
using GrainServe.Generation;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The GPT's id space as the sample lays it out: audio codes first (then the start and stop codes), text as UTF-8
/// bytes from <see cref="XttsSettings.TextTokenOffset"/>. XTTS-v2's own text goes through its BPE tokenizer
/// (<c>vocab.json</c>), which this does not read. The engine's detokenizer gets no text from codes.
/// </summary>
internal sealed class XttsTokens(XttsSettings settings) : ITokenDecoder
{
    /// <summary>The prompt of <paramref name="text"/>: its bytes as text ids, then the start code.</summary>
    public int[] Prompt(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var prompt = new int[bytes.Length + 1];
        for (var i = 0; i < bytes.Length; i++)
        {
            prompt[i] = settings.TextTokenOffset + bytes[i];
        }

        prompt[^1] = settings.StartAudioToken;
        return prompt;
    }

    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens) => "";

    public bool IsSpecial(int token) => true;
}
