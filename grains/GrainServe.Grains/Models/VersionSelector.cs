using System.IO.Hashing;
using System.Text;

namespace GrainServe.Models;

/// <summary>
/// Chooses the version a request that names none runs on, from the versions' weights: at random in proportion to
/// them, or sticky to a key (a user id header) by weighted rendezvous hashing. Pure: built from a weight table, with
/// the random source passed in.
/// </summary>
/// <remarks>
/// Sticky choice scores each version <c>-ln(U) / weight</c>, where <c>U</c> in (0, 1] comes from a stable 64-bit hash
/// (XxHash64) of the key and the version, and takes the lowest score. Each version's score is an exponential variable
/// of rate <c>weight</c>, so a key lands on a version with probability <c>weight / total</c>; and since changing one
/// version's weight changes only that version's score, raising it only moves keys onto it and lowering it only moves
/// keys off it, never between the others. A version dropping out of the table (not ready) moves only its own keys,
/// and they return when it comes back.
/// </remarks>
public sealed class VersionSelector
{
    private readonly string[] _versions;
    private readonly int[] _weights;
    private readonly long _totalWeight;
    private readonly Random _random;

    /// <summary>
    /// A selector over <paramref name="weights"/>, version to weight; versions of weight 0 or less take no traffic.
    /// </summary>
    public VersionSelector(IEnumerable<KeyValuePair<string, int>> weights, Random random)
    {
        // Ordinal order makes Pick's walk, and so a seeded test, independent of the dictionary's order.
        var positive = weights.Where(w => w.Value > 0).OrderBy(w => w.Key, StringComparer.Ordinal).ToArray();
        _versions = positive.Select(w => w.Key).ToArray();
        _weights = positive.Select(w => w.Value).ToArray();
        _totalWeight = _weights.Sum(w => (long)w);
        _random = random;
    }

    /// <summary>
    /// A selector over the versions of <paramref name="weights"/> that are in <paramref name="ready"/>: a version that is
    /// loading or lost its instances is left out, and its share goes to the others in proportion.
    /// </summary>
    public static VersionSelector ForReady(IReadOnlyDictionary<string, int> weights, IReadOnlySet<string> ready, Random random) =>
        new(weights.Where(w => ready.Contains(w.Key)), random);

    /// <summary>The versions that take traffic, with their weights (all positive), in ordinal order of the versions.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Weights => _versions.Zip(_weights, KeyValuePair.Create).ToArray();

    /// <summary>A version at random, in proportion to the weights; null when no version has a positive weight.</summary>
    public string? Pick()
    {
        if (_totalWeight == 0)
        {
            return null;
        }

        var point = (long)(_random.NextDouble() * _totalWeight);
        for (var i = 0; i < _versions.Length; i++)
        {
            point -= _weights[i];
            if (point < 0)
            {
                return _versions[i];
            }
        }

        // NextDouble() * total rounds up to total only when total is near 2^53; the last version owns that point.
        return _versions[^1];
    }

    /// <summary>
    /// The version for <paramref name="key"/>: always the same one while the weights stay, and each version's share of
    /// keys is its share of the weights. Null when no version has a positive weight.
    /// </summary>
    public string? PickSticky(string key)
    {
        string? best = null;
        var bestScore = double.PositiveInfinity;
        for (var i = 0; i < _versions.Length; i++)
        {
            var score = -Math.Log(Uniform(key, _versions[i])) / _weights[i];
            // Ties (U = 1 for two versions, or equal hashes) go to the ordinally first version, so every gateway agrees.
            if (score < bestScore)
            {
                best = _versions[i];
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>Whether to mirror this request: true for a share <paramref name="percent"/> (0 to 100) of calls.</summary>
    public bool ShouldMirror(double percent) => _random.NextDouble() * 100 < percent;

    // U in (0, 1]: the hash's top 53 bits plus one, over 2^53. Never 0, so the logarithm is finite. The byte 0xFF never
    // occurs in UTF-8, so ("a", "12") and ("a1", "2") hash different inputs.
    private static double Uniform(string key, string version)
    {
        var length = Encoding.UTF8.GetByteCount(key) + 1 + Encoding.UTF8.GetByteCount(version);
        var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(key, bytes);
        bytes[written] = 0xFF;
        Encoding.UTF8.GetBytes(version, bytes[(written + 1)..]);
        var hash = XxHash64.HashToUInt64(bytes);
        return ((hash >> 11) + 1) * (1.0 / (1UL << 53));
    }
}
