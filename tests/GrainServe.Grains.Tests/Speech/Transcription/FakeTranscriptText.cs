using System.Text;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// A stand-in tokenizer: each ordinary id is one word piece (" Hello", " world."), given ids from 1000 in the order
/// first seen, so scripts read as text and decoding is concatenation.
/// </summary>
internal sealed class FakeTranscriptText : ITranscriptText
{
    private const int FirstId = 1000;
    private readonly List<string> _pieces = [];

    /// <summary>The id of <paramref name="piece"/>, registering it when new.</summary>
    public int Id(string piece)
    {
        var index = _pieces.IndexOf(piece);
        if (index < 0)
        {
            _pieces.Add(piece);
            index = _pieces.Count - 1;
        }

        return FirstId + index;
    }

    /// <summary>
    /// A window's tokens from <paramref name="parts"/>: a double is the timestamp of that many seconds, a string its
    /// space-led words.
    /// </summary>
    public int[] Tokens(params object[] parts) => parts.SelectMany(part => part switch
    {
        double seconds => [TranscriptionTestTokens.Ts(seconds)],
        string words => Encode(words),
        _ => throw new ArgumentException($"Not a timestamp or text: {part}", nameof(parts)),
    }).ToArray();

    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            text.Append(_pieces[id - FirstId]);
        }

        return text.ToString();
    }

    public int[] Encode(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => Id(" " + word)).ToArray();
}
