using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;

namespace GrainServe.Quotas;

/// <summary>
/// Two silos, each standing for a gateway: each spends its own <see cref="QuotaAllowance"/> leased from the one
/// <see cref="IQuotaGrain"/> of the key, through its own grain factory. Together they stay within the key's rate.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class QuotaGrainTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.Services.TryAddSingleton(TimeProvider.System));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Lease_TwoGatewaysAtFullSpeed_TogetherStayWithinTheKeysRate()
    {
        var limit = QuotaLimit.PerSecond(20);
        var gateways = _cluster.Silos.Select(silo =>
        {
            var grains = silo.ServiceProvider.GetRequiredService<IGrainFactory>();
            return new QuotaAllowance(QuotaNames.RequestsPerSecond, r => grains.GetGrain<IQuotaGrain>("cluster-test").Lease(r), TimeProvider.System, 0.1, TimeSpan.FromSeconds(1));
        }).ToArray();
        Assert.Equal(2, gateways.Length);

        var started = DateTimeOffset.UtcNow;
        var window = TimeSpan.FromSeconds(2);
        var allowed = new int[2];
        var refused = new int[2];
        await Task.WhenAll(gateways.Select(async (gateway, i) =>
        {
            while (DateTimeOffset.UtcNow - started < window)
            {
                if ((await gateway.TakeAsync(1, limit)).Allowed)
                {
                    allowed[i]++;
                }
                else
                {
                    refused[i]++;
                    await Task.Delay(5);
                }
            }
        }));

        var elapsed = (DateTimeOffset.UtcNow - started).TotalSeconds;
        var total = allowed.Sum();
        // At most the burst plus the refill over the run; at least most of the refill (both spent as fast as they could).
        Assert.InRange(total, 20 * (elapsed - 0.5), limit.Capacity + (20 * elapsed));
        Assert.All(allowed, a => Assert.True(a > 0, $"each gateway got tokens: {string.Join(", ", allowed)}"));
        Assert.All(refused, r => Assert.True(r > 0, "each gateway was refused once the bucket ran dry"));
    }
}
