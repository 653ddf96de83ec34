using System.Net;
using CsCheck;
using Xunit.Abstractions;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// Mutated requests on every route, REST (V2, its extensions, OpenAI's JSON and multipart routes) and gRPC: each must get
/// a 4xx with the protocol's error body (or a success, or a retryable 503), within the timeout, and the server must stay
/// live. The count is bounded and the cases come from one logged seed; a failure prints CsCheck's shrunk input.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class GatewayFuzzTests(GatewayFixture fixture, ITestOutputHelper output)
{
    // Sized to keep the three passes near 40 s together on two cores; raise GRAINSERVE_FUZZ_COUNT for a longer hunt.
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("GRAINSERVE_FUZZ_COUNT"), out var n) ? n : 1;

    private const int Parallel = 4;

    private static Gen<Mutation<TKind>> Mutations<TKind>()
        where TKind : struct, Enum =>
        Gen.Select(Gen.Enum<TKind>(), Gen.Int[0, 4095], Gen.Int[0, 4095], (kind, where, what) => new Mutation<TKind>(kind, where, what));

    [Fact]
    public async Task RestRoutes_MutatedRequests_AnswerWith4xxAndAnErrorBody_Never500()
    {
        var gen = Gen.Select(Gen.Int[0, RestSeeds.All.Length - 1], Mutations<MutationKind>().Array[1, 3], (seed, mutations) => RestMutator.Build(RestSeeds.All[seed], mutations));
        var verdict = new RestVerdict(fixture.Http);

        await FuzzRunner.RunAsync(gen, verdict.CheckAsync, 1200 * Scale, Parallel, output, "REST");

        output.WriteLine("statuses: " + string.Join(", ", verdict.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")) + $"; slowest {verdict.SlowestSeconds:F1} s");
        await AssertLiveAsync();
    }

    [Fact]
    public async Task MultipartUploads_MutatedForms_AnswerWith4xxAndAnErrorBody_Never500()
    {
        var gen = Gen.Select(Gen.Int[0, FormMutator.Paths.Length - 1], Mutations<FormMutationKind>().Array[1, 3], FormMutator.Build);
        var verdict = new RestVerdict(fixture.Http);

        await FuzzRunner.RunAsync(gen, verdict.CheckAsync, 150 * Scale, Parallel, output, "multipart");

        output.WriteLine("statuses: " + string.Join(", ", verdict.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")) + $"; slowest {verdict.SlowestSeconds:F1} s");
        await AssertLiveAsync();
    }

    [Fact]
    public async Task GrpcMethods_MutatedRequests_AnswerWithoutInternal()
    {
        var gen = Gen.Select(Gen.Int[0, GrpcMutator.SeedCount - 1], Gen.Bool, Mutations<GrpcMutationKind>().Array[1, 4], GrpcMutator.Build);
        var verdict = new GrpcVerdict(fixture.Channel.CreateCallInvoker());

        await FuzzRunner.RunAsync(gen, verdict.CheckAsync, 600 * Scale, Parallel, output, "gRPC");

        output.WriteLine("statuses: " + string.Join(", ", verdict.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        await AssertLiveAsync();
    }

    private async Task AssertLiveAsync()
    {
        using var live = await fixture.Http.GetAsync("/v2/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True((await fixture.Grpc.ServerLiveAsync(new ServerLiveRequest())).Live);
    }
}
