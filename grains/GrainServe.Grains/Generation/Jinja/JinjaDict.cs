using System.Diagnostics.CodeAnalysis;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// A Python dict: insertion-ordered, keys compared as Python compares them (<c>1 == 1.0 == True</c>, strings by
/// ordinal). Keys are strings, numbers or booleans; lists and dicts are not hashable, as in Python.
/// </summary>
internal sealed class JinjaDict() : OrderedDictionary<object, object?>(KeyComparer.Instance)
{
    /// <summary>Throws Python's <c>unhashable type</c> error unless <paramref name="key"/> can be a key.</summary>
    public static object RequireKey(object? key) => key switch
    {
        string or long or double or bool => key,
        object?[] tuple when tuple.All(k => k is string or long or double or bool) => key,
        _ => throw JinjaException.Runtime(key is null ? "None keys are not supported" : $"unhashable type: {PyStr.Repr(JinjaValues.TypeName(key))}"),
    };

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => JinjaValues.Equal(x, y);

        public int GetHashCode([DisallowNull] object obj) => obj switch
        {
            string s => StringComparer.Ordinal.GetHashCode(s),
            bool b => (b ? 1L : 0L).GetHashCode(),
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
            object?[] tuple => tuple.Aggregate(17, (hash, item) => (hash * 31) + (item is null ? 0 : GetHashCode(item))),
            _ => obj.GetHashCode(),
        };
    }
}
