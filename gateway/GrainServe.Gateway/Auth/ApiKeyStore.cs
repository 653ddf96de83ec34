using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// The keys in force: those of configuration plus those of the keys file, read at start (a bad file stops the start,
/// with the reason) and again by <see cref="Reload"/> whenever the file's content changes. A file that turns unreadable
/// or invalid keeps the keys read last, so a half-written file never locks everyone out.
/// </summary>
internal sealed partial class ApiKeyStore
{
    private readonly AuthOptions _options;
    private readonly ILogger<ApiKeyStore> _logger;
    private readonly IReadOnlyList<ApiKey> _configured;
    private byte[]? _fileDigest;
    private volatile ApiKeySet _current;

    public ApiKeyStore(IOptions<AuthOptions> options, ILogger<ApiKeyStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        _configured = [.. _options.Keys.Select(ApiKeyRules.ToKey)];
        _current = new ApiKeySet(_configured);
        if (_options.KeysFile is null)
        {
            LogKeysLoaded(_logger, _current.Count, "configuration");
            return;
        }

        try
        {
            Load(throwOnError: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new InvalidOperationException($"{AuthOptions.SectionName}:{nameof(AuthOptions.KeysFile)}: {ex.Message}", ex);
        }
    }

    public ApiKeySet Current => _current;

    /// <summary>Reads the keys file again if its content changed; true when the keys in force changed.</summary>
    public bool Reload() => Load(throwOnError: false);

    private bool Load(bool throwOnError)
    {
        if (_options.KeysFile is not { } path)
        {
            return false;
        }

        try
        {
            // Compared by content, not by time stamp: a Kubernetes Secret volume swaps a symlink, which keeps no useful mtime.
            var content = File.ReadAllBytes(path);
            var digest = SHA256.HashData(content);
            if (_fileDigest is not null && ApiKeyHash.AreEqual(_fileDigest, digest))
            {
                return false;
            }

            var fromFile = ApiKeyFile.Parse(content, path);
            var clash = ApiKeyRules.Check(_options.Keys.Select((k, i) => (k, $"{AuthOptions.SectionName}:Keys:{i}")).Concat(fromFile.Select((k, i) => (k, $"{path} keys[{i}]"))));
            if (clash.Count > 0)
            {
                throw new FormatException(string.Join(" ", clash));
            }

            _current = new ApiKeySet([.. _configured, .. fromFile.Select(ApiKeyRules.ToKey)]);
            _fileDigest = digest;
            LogKeysLoaded(_logger, _current.Count, path);
            return true;
        }
        catch (Exception ex) when (!throwOnError && ex is IOException or UnauthorizedAccessException or FormatException)
        {
            LogKeysFileInvalid(_logger, path, _current.Count, ex.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = EventIds.ApiKeysLoaded, EventName = nameof(EventIds.ApiKeysLoaded), Level = LogLevel.Information, Message = "{KeyCount} API keys in force, from {Source}")]
    private static partial void LogKeysLoaded(ILogger logger, int keyCount, string source);

    [LoggerMessage(EventId = EventIds.ApiKeysFileInvalid, EventName = nameof(EventIds.ApiKeysFileInvalid), Level = LogLevel.Warning, Message = "The keys file {Path} was not taken; the {KeyCount} keys read last stay in force: {Reason}")]
    private static partial void LogKeysFileInvalid(ILogger logger, string path, int keyCount, string reason);
}
