using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

/// <summary>Beam search and best-of through the whole pipeline on the small random-weight model, beams as engine sequences.</summary>
public sealed class WhisperBeamSearchTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly byte[] Audio = WavFile.FromSamples(
        Enumerable.Range(0, 32000).Select(i => (float)(0.4 * Math.Sin(2 * Math.PI * 330 * i / 16000.0) * (1 + Math.Sin(i / 3000.0)))).ToArray(), 16000);

    private static async Task<JsonElement> VerboseAsync(WhisperInstance instance, Dictionary<string, string> parameters)
    {
        var request = new InferenceRequest(null, null, [new InferTensor("audio", InferDatatype.Bytes, [1], BytesElements.Pack([Audio]))], null)
        {
            Parameters = new Dictionary<string, string>(parameters) { ["max_tokens"] = "10", ["temperature_increment_on_fallback"] = "0", ["seed"] = "9", ["language"] = "en" },
        };
        var result = await instance.Infer(request, default);
        Assert.Null(result.Error);
        return JsonDocument.Parse(Encoding.UTF8.GetString(BytesElements.Unpack(result.Response!.Outputs.Single(o => o.Name == WhisperInstance.VerboseJsonOutput).Data).Single().Span)).RootElement.Clone();
    }

    private static string Tokens(JsonElement verbose) =>
        string.Join("|", verbose.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("tokens").GetRawText()));

    [Fact]
    public async Task Infer_BeamOfOne_GivesGreedysTranscript()
    {
        await using var instance = WhisperTestModel.Instance();

        var greedy = await VerboseAsync(instance, []);
        var beam = await VerboseAsync(instance, new() { ["beam_size"] = "1" });

        Assert.Equal(Tokens(greedy), Tokens(beam));
        Assert.Equal(greedy.GetProperty("text").GetString(), beam.GetProperty("text").GetString());
        var greedyLogprob = greedy.GetProperty("segments")[0].GetProperty("avg_logprob").GetDouble();
        Assert.Equal(greedyLogprob, beam.GetProperty("segments")[0].GetProperty("avg_logprob").GetDouble(), 3);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Infer_BeamsForkTheirParentsCache_SameTranscriptWithFarFewerComputedTokens(int beams)
    {
        var forking = WhisperTestModel.Model(forkBeams: true);
        var prefilling = WhisperTestModel.Model(forkBeams: false);
        await using var forked = WhisperTestModel.Instance(forking);
        await using var prefilled = WhisperTestModel.Instance(prefilling);
        var parameters = new Dictionary<string, string> { ["beam_size"] = beams.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ignore_eos"] = "true" };

        var withForks = await VerboseAsync(forked, parameters);
        var withoutForks = await VerboseAsync(prefilled, parameters);

        Assert.Equal(Tokens(withoutForks), Tokens(withForks));
        Assert.Equal(withoutForks.GetProperty("segments")[0].GetProperty("avg_logprob").GetDouble(), withForks.GetProperty("segments")[0].GetProperty("avg_logprob").GetDouble(), 4);
        var fork = forking.Engine.Snapshot();
        var prefill = prefilling.Engine.Snapshot();
        output.WriteLine($"beam_size {beams}: forked {fork.ComputedTokens} computed + {fork.ForkedTokens} copied tokens; prefilled {prefill.ComputedTokens} computed");
        Assert.Equal(0, prefill.ForkedTokens);
        Assert.True(fork.ForkedTokens > 0, "no beam forked");

        // Every beam step computes one token per beam with forks, its whole prefix without: ten sampled tokens make the
        // prefills several times what the forks compute, and the two add up to the same tokens held.
        Assert.True(fork.ComputedTokens * 3 < prefill.ComputedTokens, $"forked {fork.ComputedTokens} vs prefilled {prefill.ComputedTokens} computed tokens");
        Assert.Equal(prefill.ComputedTokens, fork.ComputedTokens + fork.ForkedTokens);

        // Every kept cache was handed back and freed once the search ended.
        await WaitForAsync(() => forking.Engine.Snapshot() is { RetainedCaches: 0, UsedBlocks: 0 });
    }

    [Fact]
    public async Task Infer_BeamSearchCancelledMidWindow_HandsEveryKeptCacheBack()
    {
        var model = WhisperTestModel.Model();
        await using var instance = WhisperTestModel.Instance(model);
        var request = new InferenceRequest(null, null, [new InferTensor("audio", InferDatatype.Bytes, [1], BytesElements.Pack([Audio]))], null)
        {
            Parameters = new Dictionary<string, string> { ["beam_size"] = "5", ["ignore_eos"] = "true", ["max_tokens"] = "200", ["temperature_increment_on_fallback"] = "0", ["language"] = "en" },
        };
        using var cancel = new CancellationTokenSource();
        var infer = instance.Infer(request, cancel.Token);

        // Cancelled once beams are running and keeping caches.
        for (var i = 0; i < 500 && model.Engine.Snapshot().ForkedTokens == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(model.Engine.Snapshot().ForkedTokens > 0, "no beam forked before the cancellation");
        cancel.Cancel();
        var result = await infer;
        Assert.Equal(Errors.InferenceErrorCode.Cancelled, result.Error?.Code);

        await WaitForAsync(() => model.Engine.Snapshot() is { RetainedCaches: 0, UsedBlocks: 0, Running: 0 });
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the engine still holds kept caches or blocks");
    }

    [Fact]
    public async Task Infer_BeamOfThree_AnswersAWellFormedTranscriptWithinTheTokenCap()
    {
        await using var instance = WhisperTestModel.Instance();

        var beam = await VerboseAsync(instance, new() { ["beam_size"] = "3" });

        var segments = beam.GetProperty("segments").EnumerateArray().ToList();
        Assert.NotEmpty(segments);
        Assert.All(segments, s => Assert.True(s.GetProperty("tokens").GetArrayLength() <= 10));
        Assert.All(segments, s => Assert.Equal(0.0, s.GetProperty("temperature").GetDouble()));
    }

    [Fact]
    public async Task Infer_BestOfThreeAboveTemperatureZero_AnswersAWellFormedTranscript()
    {
        await using var instance = WhisperTestModel.Instance();

        var verbose = await VerboseAsync(instance, new() { ["best_of"] = "3", ["temperature"] = "0.6" });

        Assert.All(verbose.GetProperty("segments").EnumerateArray(), s => Assert.Equal(0.6, s.GetProperty("temperature").GetDouble(), 6));
    }
}
