namespace GrainServe.Generation.Jinja;

/// <summary>Jinja's tests (<c>x is defined</c>, <c>x is not none</c>, <c>x is string</c>…), with Jinja's definitions (tests.py).</summary>
internal static class JinjaTestFunctions
{
    // Jinja's built-in tests: a template naming one that is not implemented still loads, and fails only if it runs.
    private static readonly HashSet<string> JinjaBuiltins =
    [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even", "false", "filter", "float", "ge", "gt",
        "greaterthan", "in", "integer", "iterable", "le", "lessthan", "lower", "lt", "mapping", "ne", "none", "number", "odd", "sameas",
        "sequence", "string", "test", "true", "undefined", "upper", "==", "!=", "<", "<=", ">", ">=",
    ];

    public static bool IsKnown(string name) => JinjaBuiltins.Contains(name);

    public static bool Apply(string name, object? value, JinjaArguments args)
    {
        var other = args.Get(0, "other");
        return name switch
        {
            "defined" => value is not JinjaUndefined,
            "undefined" => value is JinjaUndefined,
            "none" => value is null,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "integer" => value is long,
            "float" => value is double,
            "number" => JinjaValues.IsNumber(value),
            "string" => value is string,
            "mapping" => value is JinjaDict,

            // Jinja's Undefined can be iterated (as empty) and has __len__ and __getitem__, so it passes both.
            "iterable" => value is string or List<object?> or object?[] or JinjaDict or JinjaGenerator or JinjaUndefined,
            "sequence" => value is string or List<object?> or object?[] or JinjaDict or JinjaUndefined,
            "callable" => value is JinjaCallable,
            "escaped" => false,
            "odd" => JinjaValues.Equal(JinjaOperators.Binary("%", value, 2L), 1L),
            "even" => JinjaValues.Equal(JinjaOperators.Binary("%", value, 2L), 0L),
            "divisibleby" => JinjaValues.Equal(JinjaOperators.Binary("%", value, args.Get(0, "num")), 0L),
            "eq" or "equalto" or "==" => JinjaOperators.Compare("==", value, other),
            "ne" or "!=" => JinjaOperators.Compare("!=", value, other),
            "lt" or "lessthan" or "<" => JinjaOperators.Compare("<", value, other),
            "le" or "<=" => JinjaOperators.Compare("<=", value, other),
            "gt" or "greaterthan" or ">" => JinjaOperators.Compare(">", value, other),
            "ge" or ">=" => JinjaOperators.Compare(">=", value, other),
            "in" => JinjaOperators.Contains(args.Get(0, "seq"), value),

            // Python's "is": None, booleans and small ints are singletons there; other values compare by identity.
            "sameas" => value is null or bool or long ? JinjaValues.Equal(value, other) && JinjaValues.TypeName(value) == JinjaValues.TypeName(other) : ReferenceEquals(value, other),
            "lower" => PyStr.IsCase(JinjaValues.ToStr(value), lower: true),
            "upper" => PyStr.IsCase(JinjaValues.ToStr(value), lower: false),
            "filter" => value is string filter && JinjaFilters.IsSupported(filter),
            "test" => value is string test && IsKnown(test),
            _ => throw JinjaException.Runtime($"No test named {PyStr.Repr(name)} found."),
        };
    }
}
