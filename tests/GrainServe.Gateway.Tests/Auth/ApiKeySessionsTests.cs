using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Gateway.Auth;

public sealed class ApiKeySessionsTests
{
    [Fact]
    public void Resolve_BeforeAndAfterTheLifetime_GivesTheIdentityThenNothing()
    {
        var time = new FakeTimeProvider();
        var options = Options.Create(new AuthOptions { Enabled = true, SessionLifetime = TimeSpan.FromHours(1), Keys = [Key("browser", "secret")] });
        var store = new ApiKeyStore(options, NullLogger<ApiKeyStore>.Instance);
        var sessions = new ApiKeySessions(store, options, time);
        var id = sessions.Start(store.Current.Find("secret")!);

        Assert.Equal("browser", sessions.Resolve(id)?.Name);
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(sessions.Resolve(id));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(sessions.Resolve(id));
        Assert.Null(sessions.Resolve("made-up"));
    }

    [Fact]
    public void Find_ComparesHashes_AndAdminHoldsEveryScope()
    {
        var store = new ApiKeyStore(Options.Create(new AuthOptions { Enabled = true, Keys = [Key("a", "one"), Key("b", "two", "admin")] }), NullLogger<ApiKeyStore>.Instance);

        Assert.Equal("b", store.Current.Find("two")?.Identity.Name);
        Assert.Null(store.Current.Find("three"));
        Assert.True(store.Current.Find("two")!.Identity.HasScope(ApiKeyScopes.Repository));
        Assert.False(store.Current.Find("one")!.Identity.HasScope(ApiKeyScopes.Repository));
    }

    private static ApiKeyOptions Key(string name, string key, string scope = "metrics") => new()
    {
        Name = name,
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))),
        Scopes = [scope],
        Models = ["*"],
    };
}
