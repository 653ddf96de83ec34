namespace GrainServe.Generation.Jinja;

/// <summary>Jinja's global functions that chat templates use: <c>range</c>, <c>dict</c> and <c>namespace</c>.</summary>
internal static class JinjaGlobals
{
    // The sandbox's MAX_RANGE: transformers renders in a sandbox, so a template gets no bigger range there either.
    private const long MaxRange = 100_000;

    public static IReadOnlyList<JinjaFunction> Functions { get; } =
    [
        new("range", Range),
        new("dict", args => Dict(args)),
        new("namespace", Namespace),
    ];

    private static List<object?> Range(JinjaArguments args)
    {
        var bounds = args.Positional.Select(p => p is long or bool ? JinjaValues.ToLong(p)
            : throw JinjaException.Runtime($"{PyStr.Repr(JinjaValues.TypeName(p))} object cannot be interpreted as an integer")).ToArray();
        var (start, stop, step) = bounds.Length switch
        {
            1 => (0L, bounds[0], 1L),
            2 => (bounds[0], bounds[1], 1L),
            3 => (bounds[0], bounds[1], bounds[2]),
            _ => throw JinjaException.Runtime($"range expected 1 to 3 arguments, got {bounds.Length}"),
        };
        if (step == 0)
        {
            throw JinjaException.Runtime("range() arg 3 must not be zero");
        }

        var count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        if (count > MaxRange)
        {
            throw JinjaException.Runtime($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        }

        var values = new List<object?>((int)count);
        for (var i = 0L; i < count; i++)
        {
            values.Add(start + (i * step));
        }

        return values;
    }

    private static JinjaDict Dict(JinjaArguments args)
    {
        var dict = new JinjaDict();
        if (args.Positional.Count > 0)
        {
            foreach (var key in args.Positional[0] is JinjaDict source ? source.Keys : throw JinjaException.Runtime("dict() takes a mapping or keyword arguments"))
            {
                dict[key] = source[key];
            }
        }

        foreach (var (key, value) in args.Named)
        {
            dict[key] = value;
        }

        return dict;
    }

    private static JinjaNamespace Namespace(JinjaArguments args)
    {
        var ns = new JinjaNamespace();
        if (args.Positional.Count > 0)
        {
            foreach (var (key, value) in Dict(args.Skip(0)))
            {
                ns.Attributes[JinjaValues.ToStr(key)] = value;
            }
        }

        foreach (var (key, value) in args.Named)
        {
            ns.Attributes[key] = value;
        }

        return ns;
    }
}
