using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// Browser sessions of the metrics port: a random id (the cookie) mapped, in this process's memory only, to the key that
/// signed in. A session ends at <see cref="AuthOptions.SessionLifetime"/>, or as soon as its key is no longer in force
/// (removed from the file, or given a new hash), and always takes the key's current scopes.
/// </summary>
internal sealed class ApiKeySessions(ApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => options.Value.SessionLifetime;

    public string Start(ApiKey key)
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.Expires <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }

        var sessionId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[sessionId] = new Session(key.Identity.Name, key.Hash, now + Lifetime);
        return sessionId;
    }

    public ApiKeyIdentity? Resolve(string sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            return null;
        }

        if (session.Expires > time.GetUtcNow() && store.Current.Find(session.KeyName, session.Hash) is { } key)
        {
            return key.Identity;
        }

        _sessions.TryRemove(sessionId, out _);
        return null;
    }

    public void End(string sessionId) => _sessions.TryRemove(sessionId, out _);

    private sealed record Session(string KeyName, byte[] Hash, DateTimeOffset Expires);
}
