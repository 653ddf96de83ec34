namespace GrainServe.Gateway.Auth;

/// <summary>What makes a key entry valid, for configuration (checked at start) and the keys file (at every read) alike.</summary>
internal static class ApiKeyRules
{
    /// <summary>Every problem of <paramref name="keys"/>, each saying where it is and how to fix it.</summary>
    public static List<string> Check(IEnumerable<(ApiKeyOptions Key, string Where)> keys)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, where) in keys)
        {
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                failures.Add($"{where}: the key has no name; give each key a unique \"name\" (logs and sessions name it by that).");
            }
            else if (!names.Add(key.Name))
            {
                failures.Add($"{where}: the name '{key.Name}' is used twice; key names must be unique.");
            }

            if (!ApiKeyHash.IsHex(key.Sha256))
            {
                failures.Add($"{where} ('{key.Name}'): \"sha256\" must be the key's SHA-256 as 64 hex digits, for example from: printf %s \"$KEY\" | sha256sum");
            }
            else if (!hashes.Add(key.Sha256))
            {
                failures.Add($"{where} ('{key.Name}'): the same key hash appears twice; give each key its own key.");
            }

            if (key.Scopes.Count == 0)
            {
                failures.Add($"{where} ('{key.Name}'): the key has no scopes; give it one or more of {string.Join(", ", ApiKeyScopes.All)}.");
            }

            foreach (var scope in key.Scopes.Where(s => !ApiKeyScopes.All.Contains(s)))
            {
                failures.Add($"{where} ('{key.Name}'): the scope '{scope}' is not known; use {string.Join(", ", ApiKeyScopes.All)}.");
            }

            if (key.Models.Count == 0 || key.Models.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{where} ('{key.Name}'): \"models\" must list the models the key may use, as names or globs (\"llama-*\"), or [\"*\"] for all.");
            }

            foreach (var (field, value) in key.Quota?.Limits() ?? [])
            {
                if (value is not (> 0 and < double.PositiveInfinity))
                {
                    failures.Add($"{where} ('{key.Name}'): \"quota\": \"{field}\" is {value}; set a positive number, or leave it out for no limit.");
                }
            }
        }

        return failures;
    }

    public static ApiKey ToKey(ApiKeyOptions key) =>
        new(new ApiKeyIdentity(key.Name, key.Scopes, key.Models, key.Quota), ApiKeyHash.Parse(key.Sha256));
}
