namespace GrainServe.Speech.Xtts;

/// <summary>
/// num2words' card machinery (<c>Num2Word_Base.splitnum</c> and <c>clean</c>), which Spanish, French, German and
/// Portuguese write their cardinals with: a number is split at the largest card it holds (<c>1234</c> is 1 × 1000 +
/// 234), and each pair of pieces is joined by the language's <see cref="Merge"/>, left to right: the multiplier with
/// the card, then that with the rest.
/// </summary>
internal abstract class XttsSplitNumberWords : XttsNumberWords
{
    private readonly (long Value, string Word)[] _cards;
    private readonly string _one;

    /// <param name="cards">Every card the language has up to 10^18 (a long's range): its high, mid and low numwords.</param>
    protected XttsSplitNumberWords(IEnumerable<(long Value, string Word)> cards)
    {
        _cards = [.. cards.OrderByDescending(c => c.Value)];
        _one = _cards.Single(c => c.Value == 1).Word;
    }

    /// <summary>num2words' <c>negword</c>, stripped: "menos", "moins", "minus".</summary>
    protected abstract string Minus { get; }

    /// <inheritdoc/>
    public override string Cardinal(long n) => n < 0 ? $"{Minus} {Split(-n).Text}" : Split(n).Text;

    /// <summary>The language's <c>merge(curr, next)</c>: two pieces' words and values joined into one.</summary>
    protected abstract (string Text, long Value) Merge((string Text, long Value) current, (string Text, long Value) next);

    private (string Text, long Value) Split(long value)
    {
        foreach (var (card, word) in _cards)
        {
            if (card > value)
            {
                continue;
            }

            var (div, mod) = value == 0 ? (1L, 0L) : Math.DivRem(value, card);
            var piece = Merge(div == 1 ? (_one, 1) : Split(div), (word, card));
            return mod == 0 ? piece : Merge(piece, Split(mod));
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "below the smallest card");
    }
}
