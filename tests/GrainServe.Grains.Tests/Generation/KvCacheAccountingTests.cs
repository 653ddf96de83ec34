using System.Threading.Channels;

namespace GrainServe.Generation;

/// <summary>
/// The host bytes the real step model's per-sequence caches hold against the engine's KV pool: after every step, a
/// sequence holds at most the blocks the engine reserved for the tokens it has computed, the whole never passes the
/// pool, and every byte is back once all sequences have left (finished, preempted and recomputed, or cancelled).
/// </summary>
public sealed class KvCacheAccountingTests
{
    // TinyOptimumDecoder: 1 layer × key/value × 2 heads × head size 4 floats = 64 bytes a token; 4-token blocks.
    private const int BlockSize = 4;
    private const long BlockBytes = 64 * BlockSize;
    private const long PoolBytes = 12 * BlockBytes;

    [Theory]
    [InlineData(KvBinding.Host)]
    [InlineData(KvBinding.IoBinding)]
    public async Task Engine_MixWithPreemptionsAndCancels_CachesNeverHoldMoreThanTheirBlocks(KvBinding kvBinding)
    {
        using var repository = TinyOptimumDecoder.Write();
        using var options = TinyGpt2.Options();
        var checking = new CheckingStepModel(OnnxDecoderStepModel.Load(Path.Combine(repository.Root, "model.onnx"), options, kvBinding));
        var engine = new GenerationEngine(checking, new IdDecoder(), new EngineOptions { KvCacheBytes = PoolBytes, BlockSize = BlockSize, MaxNumSeqs = 8, MaxNumBatchedTokens = 16 });

        // 48 tokens of pool for ten sequences of up to 40 tokens: admissions run it dry, so later decodes preempt.
        var reads = new List<Task<FinishReason?>>();
        for (var i = 0; i < 10; i++)
        {
            var prompt = Enumerable.Range(0, 5 + (i * 3 % 16)).Select(t => 3 + ((t * 7) + i) % 29).ToArray();
            var request = new GenerationRequest(prompt, new SamplingParameters { Temperature = 0, MaxTokens = 10 + (i * 5 % 15) }, []);
            using var cancelled = new CancellationTokenSource();
            if (i == 3)
            {
                await cancelled.CancelAsync();
            }

            var source = new CancellationTokenSource();
            reads.Add(Read(engine.Submit(request, i == 3 ? cancelled.Token : source.Token), i % 4 == 1 ? source : null));
        }

        var finishes = await Task.WhenAll(reads);

        Assert.Empty(checking.Violations);
        Assert.True(checking.PeakBytes > 0);
        Assert.Equal(0, checking.KvBytesHeld);
        Assert.Contains(FinishReason.Cancelled, finishes);
        Assert.Contains(FinishReason.Length, finishes);
        Assert.True(engine.Snapshot().Preemptions > 0, "the mix must preempt, or it does not test a preempted sequence's release");
        await engine.DisposeAsync();
        Assert.Equal(0, engine.Snapshot().KvBytesHeld);
        Assert.Equal(PoolBytes, engine.Snapshot().KvPoolBytes);
        checking.Dispose();
    }

    // Reads to the end; with cancel, cancels once the third token is out.
    private static async Task<FinishReason?> Read(ChannelReader<GenerationUpdate> reader, CancellationTokenSource? cancel)
    {
        FinishReason? finish = null;
        var tokens = 0;
        await foreach (var update in reader.ReadAllAsync())
        {
            tokens += update.TokenIds.Count;
            if (cancel is not null && tokens >= 3)
            {
                await cancel.CancelAsync();
            }

            finish = update.Finish ?? finish;
        }

        return finish;
    }

    /// <summary>The real step model, checked after every run against the blocks its sequences hold.</summary>
    private sealed class CheckingStepModel(OnnxDecoderStepModel inner) : ObservedStepModel(inner)
    {
        private readonly Dictionary<long, int> _tokens = [];

        public List<string> Violations { get; } = [];

        public long PeakBytes { get; private set; }

        public override StepLogits Run(IReadOnlyList<StepEntry> entries)
        {
            var logits = Inner.Run(entries);
            foreach (var entry in entries)
            {
                _tokens[entry.SequenceId] = entry.Start + entry.Tokens.Length;
            }

            // What the engine's KvBlockManager holds for these sequences: ceil(tokens / block size) blocks each.
            var accounted = _tokens.Values.Sum(t => (t + BlockSize - 1) / BlockSize * BlockBytes);
            var held = Inner.KvBytesHeld;
            PeakBytes = Math.Max(PeakBytes, held);
            if (held > accounted || held > PoolBytes)
            {
                Violations.Add($"{held} bytes held for {string.Join(", ", _tokens.Values)} tokens: {accounted} accounted, pool {PoolBytes}");
            }

            return logits;
        }

        public override void Release(long sequenceId)
        {
            Inner.Release(sequenceId);
            _tokens.Remove(sequenceId);
        }
    }
}
