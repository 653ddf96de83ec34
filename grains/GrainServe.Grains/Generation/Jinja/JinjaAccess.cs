namespace GrainServe.Generation.Jinja;

/// <summary>
/// Jinja's <c>getattr</c> and <c>getitem</c> (environment.py, sandboxed): <c>x.name</c> is a method or attribute,
/// else the item <c>name</c>; <c>x[key]</c> is the item, else the attribute when the key is a string. What neither
/// finds is <see cref="JinjaUndefined"/>; only reaching into undefined itself fails.
/// </summary>
internal static class JinjaAccess
{
    public static object? GetAttribute(object? target, string name) => target switch
    {
        JinjaUndefined undefined => throw undefined.Error(),
        JinjaNamespace ns => ns.Attributes.TryGetValue(name, out var value) ? value : JinjaUndefined.Member(ns, name),
        JinjaLoop loop => loop.Get(name),
        null => JinjaUndefined.Member(null, name),
        _ when JinjaMethods.Has(target, name) => new JinjaBoundMethod(target, name),
        JinjaDict dict => dict.TryGetValue(name, out var value) ? value : JinjaUndefined.Member(dict, name),
        _ => JinjaUndefined.Member(target, name),
    };

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error();
            case JinjaDict dict when key is string or long or double or bool && dict.TryGetValue(key, out var value):
                return value;
            case List<object?> list when Index(key, list.Count) is { } i:
                return list[i];
            case object?[] tuple when Index(key, tuple.Length) is { } i:
                return tuple[i];
            case string s when Index(key, PyStr.Length(s)) is { } i:
                return s.Length == PyStr.Length(s) ? s[i].ToString() : PyStr.Characters(s)[i];
        }

        // Jinja then tries the attribute of that name: message['items'] is the dict's method, ns['x'] the attribute.
        return key is string name ? GetAttribute(target, name) : JinjaUndefined.Member(target, key);
    }

    /// <summary><c>target[start:stop:step]</c> of a string, list or tuple, with Python's bounds; anything else is undefined.</summary>
    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        if (target is JinjaUndefined undefined)
        {
            throw undefined.Error();
        }

        if (!IsBound(start) || !IsBound(stop) || !IsBound(step) || target is not (string or List<object?> or object?[]))
        {
            // Python's TypeError here is caught by Jinja's getitem, which answers undefined.
            return JinjaUndefined.Member(target, "slice");
        }

        var items = target is string s ? PyStr.Characters(s) : JinjaValues.Iterate(target);
        var by = step is null ? 1 : JinjaValues.ToLong(step);
        if (by == 0)
        {
            throw JinjaException.Runtime("slice step cannot be zero");
        }

        var length = (long)items.Count;
        var (lower, upper) = by > 0 ? (0L, length) : (-1L, length - 1);
        long Clamp(object? bound, long fallback)
        {
            if (bound is null)
            {
                return fallback;
            }

            var value = JinjaValues.ToLong(bound);
            return value < 0 ? Math.Max(value + length, lower) : Math.Min(value, upper);
        }

        var from = Clamp(start, by > 0 ? lower : upper);
        var to = Clamp(stop, by > 0 ? upper : lower);
        var picked = new List<object?>();
        for (var i = from; by > 0 ? i < to : i > to; i += by)
        {
            picked.Add(items[(int)i]);
        }

        return target switch
        {
            string => string.Concat(picked),
            object?[] => picked.ToArray(),
            _ => picked,
        };
    }

    private static int? Index(object? key, int length)
    {
        if (key is not (long or bool))
        {
            return null;
        }

        var index = JinjaValues.ToLong(key);
        index = index < 0 ? index + length : index;
        return index >= 0 && index < length ? (int)index : null;
    }

    private static bool IsBound(object? bound) => bound is null or long or bool;
}
