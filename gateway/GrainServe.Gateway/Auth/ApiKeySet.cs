namespace GrainServe.Gateway.Auth;

/// <summary>The keys in force at one moment; replaced whole on a reload, never changed.</summary>
internal sealed class ApiKeySet(IReadOnlyList<ApiKey> keys)
{
    public int Count => keys.Count;

    /// <summary>The key whose hash <paramref name="presented"/> has, or null.</summary>
    public ApiKey? Find(string presented)
    {
        var hash = ApiKeyHash.Of(presented);
        ApiKey? found = null;
        // Compare with every key, without stopping at a match: the time taken does not say which key matched, or where.
        foreach (var key in keys)
        {
            if (ApiKeyHash.AreEqual(key.Hash, hash))
            {
                found = key;
            }
        }

        return found;
    }

    /// <summary>The key named <paramref name="name"/> if it still has <paramref name="hash"/>, or null (removed, or its key changed).</summary>
    public ApiKey? Find(string name, byte[] hash)
    {
        var key = keys.FirstOrDefault(k => k.Identity.Name == name);
        return key is not null && ApiKeyHash.AreEqual(key.Hash, hash) ? key : null;
    }
}
