using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// The keys file: <c>{"keys": [{"name": "ci", "sha256": "…", "scopes": ["infer"], "models": ["llama-*"], "quota": {"requests_per_second": 50}}]}</c>
/// (<c>quota</c> optional, see <see cref="ApiKeyQuotaOptions"/>). A misspelt
/// field is an error rather than a key that silently lacks what it was meant to have.
/// </summary>
internal static class ApiKeyFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The keys of a file's content; throws <see cref="FormatException"/> naming every problem.</summary>
    public static List<ApiKeyOptions> Parse(ReadOnlySpan<byte> content, string path)
    {
        Content? file;
        try
        {
            file = JsonSerializer.Deserialize<Content>(content, Json);
        }
        catch (JsonException ex)
        {
            // The parser's message names the line and position, never the file's text.
            throw new FormatException($"{path} is not a keys file ({{\"keys\": [...]}}): {ex.Message}", ex);
        }

        var keys = file?.Keys ?? throw new FormatException($"{path} has no \"keys\" array; write {{\"keys\": [...]}}, or {{\"keys\": []}} for none.");
        var failures = ApiKeyRules.Check(keys.Select((k, i) => (k, $"{path} keys[{i}]")));
        return failures.Count == 0 ? keys : throw new FormatException(string.Join(" ", failures));
    }

    private sealed class Content
    {
        public List<ApiKeyOptions>? Keys { get; set; }
    }
}
