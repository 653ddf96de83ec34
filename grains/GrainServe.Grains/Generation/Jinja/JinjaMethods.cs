namespace GrainServe.Generation.Jinja;

/// <summary>
/// The Python methods templates call on their values: <c>str</c>'s (<c>strip</c>, <c>split</c>,
/// <c>startswith</c>…), <c>dict</c>'s <c>items</c>, <c>keys</c>, <c>values</c> and <c>get</c>, and a list's
/// <c>count</c> and <c>index</c>. As in transformers' <c>ImmutableSandboxedEnvironment</c>, the methods that change a
/// list or dict exist but refuse to run.
/// </summary>
internal static class JinjaMethods
{
    private static readonly HashSet<string> StringMethods =
    [
        "capitalize", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdigit", "islower", "isspace", "isupper", "join",
        "lower", "lstrip", "replace", "rfind", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "title", "upper",
    ];

    private static readonly HashSet<string> DictMethods = ["get", "items", "keys", "values"];
    private static readonly HashSet<string> DictMutators = ["clear", "pop", "popitem", "setdefault", "update"];
    private static readonly HashSet<string> SequenceMethods = ["count", "index"];
    private static readonly HashSet<string> ListMutators = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];

    public static bool Has(object target, string name) => target switch
    {
        string => StringMethods.Contains(name),
        JinjaDict => DictMethods.Contains(name) || DictMutators.Contains(name),
        List<object?> => SequenceMethods.Contains(name) || ListMutators.Contains(name),
        object?[] => SequenceMethods.Contains(name),
        _ => false,
    };

    public static object? Call(object target, string name, JinjaArguments args) => target switch
    {
        string s => CallString(s, name, args),
        JinjaDict dict when DictMethods.Contains(name) => CallDict(dict, name, args),
        IReadOnlyList<object?> sequence when SequenceMethods.Contains(name) => CallSequence(sequence, name, args),
        _ => throw JinjaException.Runtime($"access to attribute {PyStr.Repr(name)} of {PyStr.Repr(JinjaValues.TypeName(target))} object is unsafe."),
    };

    private static object? CallString(string s, string name, JinjaArguments args)
    {
        switch (name)
        {
            case "strip" or "lstrip" or "rstrip":
                var chars = args.AtMost(1, name).Get(0, "chars") switch
                {
                    null => null,
                    string c => c,
                    var other => throw JinjaException.Runtime($"{name} arg must be None or str, not {JinjaValues.TypeName(other)}"),
                };
                return name == "strip" ? PyStr.Strip(s, chars) : name == "lstrip" ? PyStr.LStrip(s, chars) : PyStr.RStrip(s, chars);
            case "startswith" or "endswith":
                var part = args.Has(1, "start") ? JinjaAccess.Slice(s, args.Get(1, "start"), args.Get(2, "end"), null) as string ?? "" : s;
                var affixes = args.Get(0, name == "startswith" ? "prefix" : "suffix") switch
                {
                    string one => [one],
                    object?[] many when many.All(m => m is string) => many.Cast<string>().ToArray(),
                    var other => throw JinjaException.Runtime($"{name} first arg must be str or a tuple of str, not {JinjaValues.TypeName(other)}"),
                };
                return affixes.Any(a => name == "startswith" ? part.StartsWith(a, StringComparison.Ordinal) : part.EndsWith(a, StringComparison.Ordinal));
            case "split" or "rsplit":
                var separator = args.Get(0, "sep") switch
                {
                    null => null,
                    string sep => sep,
                    var other => throw JinjaException.Runtime($"must be str or None, not {JinjaValues.TypeName(other)}"),
                };
                var maxSplit = args.Get(1, "maxsplit", -1L) is long or bool ? JinjaValues.ToLong(args.Get(1, "maxsplit", -1L)) : -1;
                return name == "split" ? PyStr.Split(s, separator, maxSplit) : PyStr.RSplit(s, separator, maxSplit);
            case "splitlines":
                return PyStr.SplitLines(s, JinjaValues.IsTrue(args.Get(0, "keepends", false)));
            case "title":
                return PyStr.Title(s);
            case "upper":
                return s.ToUpperInvariant();
            case "lower":
                return s.ToLowerInvariant();
            case "capitalize":
                return PyStr.Capitalize(s);
            case "replace":
                var count = args.Get(2, "count", -1L);
                return PyStr.Replace(s, Text(args.Get(0, "old"), name), Text(args.Get(1, "new"), name), count is long or bool ? JinjaValues.ToLong(count) : -1);
            case "find" or "rfind" or "index":
                var sub = Text(args.Get(0, "sub"), name);
                var at = name == "rfind" ? s.LastIndexOf(sub, StringComparison.Ordinal) : s.IndexOf(sub, StringComparison.Ordinal);
                return at < 0 ? name == "index" ? throw JinjaException.Runtime("substring not found") : -1L : (long)PyStr.Length(s[..at]);
            case "count":
                var needle = Text(args.Get(0, "sub"), name);
                return needle.Length == 0 ? PyStr.Length(s) + 1L : (long)((s.Length - s.Replace(needle, "", StringComparison.Ordinal).Length) / needle.Length);
            case "join":
                var items = JinjaValues.Iterate(args.Get(0, "iterable"));
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is not string)
                    {
                        throw JinjaException.Runtime($"sequence item {i}: expected str instance, {JinjaValues.TypeName(items[i])} found");
                    }
                }

                return string.Join(s, items);
            case "islower" or "isupper":
                return PyStr.IsCase(s, name == "islower");
            default:
                Func<char, bool> test = name switch
                {
                    "isalnum" => char.IsLetterOrDigit,
                    "isalpha" => char.IsLetter,
                    "isdigit" => char.IsDigit,
                    _ => PyStr.IsSpace,
                };
                return s.Length > 0 && s.All(test);
        }
    }

    private static object? CallDict(JinjaDict dict, string name, JinjaArguments args) => name switch
    {
        "get" => args.Get(0, "key") is { } key && dict.TryGetValue(JinjaDict.RequireKey(key), out var value) ? value : args.Get(1, "default"),
        "items" => dict.Select(p => (object?)new[] { p.Key, p.Value }).ToList(),
        "keys" => dict.Keys.Select(k => (object?)k).ToList(),
        _ => dict.Values.ToList(),
    };

    private static object? CallSequence(IReadOnlyList<object?> sequence, string name, JinjaArguments args)
    {
        var item = args.Get(0, "value");
        if (name == "count")
        {
            return (long)sequence.Count(v => JinjaValues.Equal(v, item));
        }

        for (var i = 0; i < sequence.Count; i++)
        {
            if (JinjaValues.Equal(sequence[i], item))
            {
                return (long)i;
            }
        }

        throw JinjaException.Runtime($"{JinjaValues.Repr(item)} is not in list");
    }

    private static string Text(object? value, string method) =>
        value as string ?? throw JinjaException.Runtime($"{method}() argument must be str, not {JinjaValues.TypeName(value)}");
}
