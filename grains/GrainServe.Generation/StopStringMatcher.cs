namespace GrainServe.Generation;

/// <summary>
/// Finds stop strings in the released text. The earliest occurrence of any stop string ends the sequence: text
/// before it is released, the stop string and anything after it never are. A tail that could still grow into a
/// stop string is held back until it cannot, so a stop string split across tokens never leaks.
/// </summary>
internal sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private string _pending = "";

    public StopStringMatcher(IReadOnlyList<string> stops)
    {
        _stops = [.. stops.Where(s => !string.IsNullOrEmpty(s))];
    }

    /// <summary>The stop string that matched, once one has; later text is ignored.</summary>
    public string? Matched { get; private set; }

    /// <summary>Adds text; returns what is now safe to release (up to a match, or short of a possible one).</summary>
    public string Push(string text)
    {
        if (Matched is not null)
        {
            return "";
        }

        if (_stops.Length == 0)
        {
            return text;
        }

        var pending = _pending + text;
        var (index, stop) = Earliest(pending);
        if (stop is not null)
        {
            Matched = stop;
            _pending = "";
            return pending[..index];
        }

        var hold = HeldSuffix(pending);
        _pending = pending[(pending.Length - hold)..];
        return pending[..(pending.Length - hold)];
    }

    /// <summary>Releases what was held, when the sequence stops for another reason.</summary>
    public string Flush()
    {
        var pending = _pending;
        _pending = "";
        return pending;
    }

    private (int Index, string? Stop) Earliest(string text)
    {
        var bestIndex = int.MaxValue;
        string? best = null;
        foreach (var stop in _stops)
        {
            var index = text.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (index < bestIndex || (index == bestIndex && stop.Length > best!.Length)))
            {
                bestIndex = index;
                best = stop;
            }
        }

        return (bestIndex, best);
    }

    // The longest tail of text that is a proper prefix of some stop string.
    private int HeldSuffix(string text)
    {
        var hold = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > hold; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    hold = length;
                    break;
                }
            }
        }

        return hold;
    }
}
