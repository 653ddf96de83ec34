using System.Globalization;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.TestSupport;

namespace GrainServe.Generation;

/// <summary>Text generation through the grains of the shared two-silo cluster, on the sample's tiny_llama.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class GenerationClusterTests(ClusterFixture fixture)
{
    private const string TinyLlama = "tiny_llama";

    // The label vLLM gives requests that ended neither by a stop nor by length.
    private const string Aborted = ",finished_reason=\"abort\"";

    // GPT-2's ids of "The quick brown fox"; gpt2 adds no BOS.
    private static readonly int[] QuickBrownFox = [464, 2068, 7586, 21831];

    // A generation that runs for seconds on the CPU unless something stops it.
    private static readonly GenerateRequest LongRequest = new() { Prompt = "Once upon a time", MaxTokens = 1500, Temperature = 0, IgnoreEos = true };

    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    private IModelGrain Model(string name) => fixture.Client.GetGrain<IModelGrain>(name);

    [Fact]
    public async Task Generate_GreedyPrompt_StreamsTheSameTextTwiceAndEndsWithLength()
    {
        await Model(TinyLlama).EnsureLoaded();
        var request = new GenerateRequest { Prompt = "The quick brown fox", MaxTokens = 12, Temperature = 0 };

        var first = await GenerateAsync(request);
        var second = await GenerateAsync(request);
        var fromIds = await GenerateAsync(request with { Prompt = null, PromptTokenIds = QuickBrownFox });

        Assert.All(first.Chunks, c => Assert.Null(c.Error));
        Assert.True(first.Chunks.Count > 1, $"{first.Chunks.Count} chunks: the text should stream");
        Assert.All(first.Chunks, c => Assert.Equal("1", c.ModelVersion));
        Assert.All(first.Chunks[..^1], c => Assert.Null(c.FinishReason));
        Assert.Equal(GenerateFinishReason.Length, first.Last.FinishReason);
        Assert.Equal(12, first.Last.CompletionTokens);
        Assert.Equal(12, first.TokenIds.Length);
        Assert.Equal(QuickBrownFox.Length, first.Last.PromptTokens);
        Assert.NotEqual("", first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.TokenIds, second.TokenIds);

        // The text prompt is tokenized to exactly GPT-2's ids: the same prompt given as ids continues the same way.
        Assert.Equal(first.TokenIds, fromIds.TokenIds);
        Assert.Equal(first.Text, fromIds.Text);
        Assert.Equal(QuickBrownFox.Length, fromIds.Last.PromptTokens);
    }

    [Fact]
    public async Task Generate_SixteenConcurrentGreedyRequests_EachMatchesItsRunAlone()
    {
        await Model(TinyLlama).EnsureLoaded();
        var requests = Enumerable.Range(0, 16).Select(i => new GenerateRequest
        {
            Prompt = $"Request {i}: " + string.Join(' ', Enumerable.Repeat("the river runs", 1 + (i % 5))),
            MaxTokens = 4 + (i * 36 / 15),
            Temperature = 0,
        }).ToList();
        Assert.Equal(4, requests.Min(r => r.MaxTokens));
        Assert.Equal(40, requests.Max(r => r.MaxTokens));

        var alone = new List<Generated>();
        foreach (var request in requests)
        {
            alone.Add(await GenerateAsync(request));
        }

        // Watch the engine while they run, to know they shared its batch rather than ran one after another.
        using var watching = new CancellationTokenSource();
        var mostRunning = 0.0;
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                mostRunning = Math.Max(mostRunning, Metric("vllm:num_requests_running"));
                await Task.Delay(1);
            }
        });
        var together = await Task.WhenAll(requests.Select(GenerateAsync));
        await watching.CancelAsync();
        await watcher;

        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Null(together[i].Last.Error);
            Assert.Equal(alone[i].TokenIds, together[i].TokenIds);
            Assert.Equal(alone[i].Text, together[i].Text);
            Assert.Equal(alone[i].Last.FinishReason, together[i].Last.FinishReason);
        }

        Assert.Contains(alone, a => a.Last.FinishReason == GenerateFinishReason.Length && a.TokenIds.Length == 40);
        Assert.True(mostRunning > 1, $"at most {mostRunning} requests ran at once");
    }

    [Fact]
    public async Task Generate_CallerCancelsMidStream_SequenceLeavesTheEngineAndFreesItsCache()
    {
        await Model(TinyLlama).EnsureLoaded();
        var abortedBefore = Metric("vllm:request_success_total", Aborted);
        using var caller = new CancellationTokenSource();
        var read = new List<GenerateChunk>();

        // As a protocol adapter reads: cancelling ends the loop (with the Cancelled chunk, or an OperationCanceledException
        // from the next call), and the loop disposes the stream.
        var ended = await Record.ExceptionAsync(() => ReadAsync().WaitAsync(StreamTimeout));
        async Task ReadAsync()
        {
            await foreach (var chunk in fixture.Router.GenerateAsync(TinyLlama, LongRequest, cancellationToken: caller.Token).WithCancellation(caller.Token))
            {
                read.Add(chunk);
                if (read.Count == 3)
                {
                    Assert.Equal(1, Metric("vllm:num_requests_running"));
                    Assert.True(Metric("vllm:kv_cache_usage_perc") > 0);
                    await caller.CancelAsync();
                }
            }
        }

        Assert.True(ended is null or OperationCanceledException, $"unexpected end: {ended}");
        Assert.True(read.Count >= 3);
        Assert.All(read, c => Assert.Null(c.Error));
        await WaitForAsync(() => Metric("vllm:num_requests_running") == 0 && Metric("vllm:kv_cache_usage_perc") == 0);
        await WaitForAsync(() => Metric("vllm:request_success_total", Aborted) == abortedBefore + 1);
        Assert.Equal(0, Metric("vllm:num_requests_waiting"));
    }

    [Fact]
    public async Task Generate_CallerDisposesMidStream_SequenceLeavesTheEngineAndFreesItsCache()
    {
        await Model(TinyLlama).EnsureLoaded();
        var abortedBefore = Metric("vllm:request_success_total", Aborted);
        var enumerator = fixture.Router.GenerateAsync(TinyLlama, LongRequest).GetAsyncEnumerator();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(StreamTimeout));
                Assert.Null(enumerator.Current.Error);
            }

            Assert.Equal(1, Metric("vllm:num_requests_running"));
            Assert.True(Metric("vllm:kv_cache_usage_perc") > 0);
        }
        finally
        {
            await enumerator.DisposeAsync().AsTask().WaitAsync(StreamTimeout);
        }

        await WaitForAsync(() => Metric("vllm:num_requests_running") == 0 && Metric("vllm:kv_cache_usage_perc") == 0);
        await WaitForAsync(() => Metric("vllm:request_success_total", Aborted) == abortedBefore + 1);
        Assert.Equal(0, Metric("vllm:num_requests_waiting"));
    }

    [Fact]
    public async Task Generate_RequestsThatCannotRun_AnswerOneChunkWithTheError()
    {
        await Model(TinyLlama).EnsureLoaded();
        var hi = new GenerateRequest { Prompt = "Hi", MaxTokens = 4, Temperature = 0 };

        var unknownVersion = await GenerateAsync(hi with { ModelVersion = "9" });
        var notGeneration = await GenerateAsync(hi, "simple");
        var pastContext = await GenerateAsync(hi with { MaxTokens = 100_000 });
        var infer = await fixture.Router.InferAsync(TinyLlama, new InferenceRequest(null, null, [new InferTensor("text_input", "BYTES", [1], [2, 0, 0, 0, (byte)'H', (byte)'i'])], null));

        Assert.Equal(InferenceErrorCode.ModelNotFound, Assert.Single(unknownVersion.Chunks).Error!.Code);
        Assert.Equal(InferenceErrorCode.InvalidInput, Assert.Single(notGeneration.Chunks).Error!.Code);
        Assert.Contains("not a text generation model", notGeneration.Last.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(InferenceErrorCode.InvalidInput, Assert.Single(pastContext.Chunks).Error!.Code);
        Assert.Contains("max_tokens", pastContext.Last.Error!.Message, StringComparison.Ordinal);
        Assert.Null(infer.Response);
        Assert.Equal(InferenceErrorCode.InvalidInput, infer.Error!.Code);
        Assert.Contains("/generate", infer.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadInstance_TinyLlama_ChargesItsDeviceTheModelFilePlusTheKvPool()
    {
        await Model(TinyLlama).EnsureLoaded();
        var fileBytes = new FileInfo(Path.Combine(fixture.RepositoryRoot, TinyLlama, "1", "model.onnx")).Length;

        var held = new List<(DeviceInfo Device, ModelInstanceInfo Instance)>();
        foreach (var device in await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices())
        {
            var grain = fixture.Client.GetGrain<IGpuGrain>(device.Key);
            var info = await grain.GetInfo();
            held.AddRange((await grain.GetInstances()).Where(i => i.ModelName == TinyLlama).Select(i => (info, i)));
        }

        var (holder, instance) = Assert.Single(held);
        Assert.Equal("1", instance.ModelVersion);
        Assert.Equal(holder.Key, instance.DeviceKey);
        Assert.Equal(fileBytes + 67_108_864, instance.MemoryBytes);
        Assert.True(holder.UsedBytes >= instance.MemoryBytes, $"the device counts {holder.UsedBytes} bytes used");
    }

    [Fact]
    public async Task Unload_MidStream_EndsTheStreamWithARetryableErrorAndLoadServesAgain()
    {
        await Model(TinyLlama).EnsureLoaded();
        var enumerator = fixture.Router.GenerateAsync(TinyLlama, LongRequest).GetAsyncEnumerator();
        var chunks = new List<GenerateChunk>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(StreamTimeout));
                chunks.Add(enumerator.Current);
            }

            await Model(TinyLlama).Unload().WaitAsync(StreamTimeout);
            while (await enumerator.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)))
            {
                chunks.Add(enumerator.Current);
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }

        var last = chunks[^1];
        Assert.All(chunks[..^1], c => Assert.Null(c.Error));
        Assert.True(last.CompletionTokens < 1500, "the generation finished before the unload reached it");
        Assert.Equal(GenerateFinishReason.Error, last.FinishReason);
        Assert.Equal(InferenceErrorCode.ModelNotReady, last.Error?.Code);
        Assert.Contains("unloaded", last.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, Metric("vllm:num_requests_running"));

        var whileUnloaded = await GenerateAsync(new GenerateRequest { Prompt = "Hi", MaxTokens = 4 });
        Assert.Equal(InferenceErrorCode.ModelNotReady, Assert.Single(whileUnloaded.Chunks).Error!.Code);

        Assert.Equal(ModelReadyState.Ready, Assert.Single(await Model(TinyLlama).Load(null)).State);
        var after = await GenerateAsync(new GenerateRequest { Prompt = "The quick brown fox", MaxTokens = 12, Temperature = 0 });
        Assert.Null(after.Last.Error);
        Assert.Equal(GenerateFinishReason.Length, after.Last.FinishReason);
        Assert.Equal(12, after.TokenIds.Length);
    }

    private Task<Generated> GenerateAsync(GenerateRequest request) => GenerateAsync(request, TinyLlama);

    // Bounded, so that a stream that never ends fails the test instead of hanging it.
    private Task<Generated> GenerateAsync(GenerateRequest request, string model) => CollectAsync(fixture.Router.GenerateAsync(model, request)).WaitAsync(StreamTimeout);

    private static async Task<Generated> CollectAsync(IAsyncEnumerable<GenerateChunk> stream)
    {
        var chunks = new List<GenerateChunk>();
        await foreach (var chunk in stream)
        {
            chunks.Add(chunk);
        }

        return new Generated(chunks);
    }

    // One series of the vLLM metrics for tiny_llama, read from the registry every silo of this process shares.
    private static double Metric(string name, string extraLabels = "")
    {
        var text = new StringBuilder();
        GenerationMetrics.Write(text, "s");
        var prefix = $"{name}{{model_name=\"{TinyLlama}\",silo=\"s\"{extraLabels}}} ";
        var line = text.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 5 s");
            await Task.Delay(20);
        }
    }

    private sealed record Generated(List<GenerateChunk> Chunks)
    {
        public GenerateChunk Last => Chunks[^1];

        public int[] TokenIds => Chunks.SelectMany(c => c.TokenIds).ToArray();

        public string Text => string.Concat(Chunks.Select(c => c.Text));
    }
}
