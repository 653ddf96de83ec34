using GrainServe.ModelBuilder;
using GrainServe.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace GrainServe.Models;

public sealed class TinyLlamaTests(TinyLlamaTests.Model model, ITestOutputHelper output) : IClassFixture<TinyLlamaTests.Model>
{
    private const int Steps = 32;

    // GPT-2 ids: "Hello, world", "The quick brown fox", "<|endoftext|>Once upon a time", then seeded ids, 1 to 40 long.
    private static readonly long[][] Prompts =
    [
        [15496, 11, 995],
        [464, 2068, 7586, 21831],
        [50256, 7454, 2402, 257, 640],
        [13],
        .. new[] { 2, 9, 17, 26, 33, 40 }.Select(length => Seeded(length)),
    ];

    // Step at which each prompt joins the batch: two together first, then one or two at a time as others decode.
    private static readonly int[] Arrivals = [0, 0, 1, 3, 3, 4, 6, 9, 10, 12];

    private static LlamaDecoderDims Dims => LlamaDecoderDims.Tiny;

    [Fact]
    public void Inputs_AreOptimumNamedWithSymbolicDims()
    {
        var inputs = model.Session.InputMetadata;
        Assert.Equal(["input_ids", "attention_mask", "position_ids", "past_key_values.0.key", "past_key_values.0.value", "past_key_values.1.key", "past_key_values.1.value"], inputs.Keys);
        Assert.Equal(["batch", "seq"], inputs["input_ids"].SymbolicDimensions);
        Assert.Equal(["batch", "total_seq"], inputs["attention_mask"].SymbolicDimensions);
        Assert.Equal(typeof(long), inputs["position_ids"].ElementType);
        Assert.Equal([-1, 2, -1, 16], inputs["past_key_values.1.value"].Dimensions);
        Assert.Equal("past_seq", inputs["past_key_values.1.value"].SymbolicDimensions[2]);

        var outputs = model.Session.OutputMetadata;
        Assert.Equal(["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"], outputs.Keys);
        Assert.Equal([-1, -1, 50257], outputs["logits"].Dimensions);
        Assert.Equal("total_seq", outputs["present.0.key"].SymbolicDimensions[2]);
    }

    [Fact]
    public void Step_EmptyPast_GivesLogitsAndPresentOfThePrompt()
    {
        var result = model.Stepper.Step([LlamaStepper.Row.First(Dims.Layers, Prompts[1])]).Single();

        Assert.Equal(4, result.Logits.Length);
        Assert.All(result.Logits, l => Assert.Equal(Dims.Vocab, l.Length));
        Assert.Equal(4, result.Length);
        Assert.All(result.Keys, k => Assert.Equal(Dims.KvHeads * 4 * Dims.HeadSize, k.Length));
    }

    [Fact]
    public void Step_WithPast_PresentIsPastThenNewAndMatchesTheWholeSequence()
    {
        var prompt = Prompts[^1];
        var first = model.Stepper.Step([LlamaStepper.Row.First(Dims.Layers, prompt[..10])]).Single();
        var second = model.Stepper.Step([new LlamaStepper.Row(first.Keys, first.Values, first.Length, prompt[10..])]).Single();
        var whole = model.Stepper.Step([LlamaStepper.Row.First(Dims.Layers, prompt)]).Single();

        for (var l = 0; l < Dims.Layers; l++)
        {
            for (var h = 0; h < Dims.KvHeads; h++)
            {
                var past = first.Keys[l].AsSpan(h * 10 * Dims.HeadSize, 10 * Dims.HeadSize);
                Assert.True(past.SequenceEqual(second.Keys[l].AsSpan(h * prompt.Length * Dims.HeadSize, 10 * Dims.HeadSize)), "present starts with past");
            }

            AssertClose(whole.Keys[l], second.Keys[l]);
            AssertClose(whole.Values[l], second.Values[l]);
        }

        AssertClose(whole.Logits[^1], second.Logits[^1]);
    }

    [Fact]
    public void GreedyDecoding_AloneBatchedAndUncached_GiveTheSameTokensWithAWideMargin()
    {
        var margins = new List<(float Absolute, float Relative)>();
        var alone = Prompts.Select(p => Alone(p, margins)).ToArray();
        var batched = Batched(margins);

        var minAbsolute = margins.Min(m => m.Absolute);
        var minRelative = margins.Min(m => m.Relative);
        output.WriteLine($"{margins.Count} greedy choices; smallest top-1 minus top-2 logit margin {minAbsolute:F4} ({minRelative:P2} of the top logit)");
        for (var p = 0; p < Prompts.Length; p++)
        {
            output.WriteLine($"prompt {p} ({Prompts[p].Length} tokens): {string.Join(' ', alone[p].Tokens)}");
            Assert.Equal(alone[p].Tokens, batched[p].Tokens);
            for (var s = 0; s < Steps; s++)
            {
                AssertClose(alone[p].Logits[s], batched[p].Logits[s]);
            }

            // Without a cache: the whole sequence in one run predicts every generated token from its prefix.
            var sequence = Prompts[p].Concat(alone[p].Tokens[..^1]).ToArray();
            var whole = model.Stepper.Step([LlamaStepper.Row.First(Dims.Layers, sequence)]).Single();
            for (var s = 0; s < Steps; s++)
            {
                var logits = whole.Logits[Prompts[p].Length - 1 + s];
                Assert.Equal(alone[p].Tokens[s], ArgMax(logits));
                AssertClose(alone[p].Logits[s], logits);
            }

            Assert.True(alone[p].Tokens.Distinct().Count() >= Steps / 2, $"prompt {p} repeats itself");
        }

        Assert.True(minRelative >= 0.01, $"the smallest greedy margin is {minRelative:P3} of the top logit");
    }

    [Fact]
    public void Step_EndOfTextLast_PredictsEndOfText()
    {
        var result = model.Stepper.Step([LlamaStepper.Row.First(Dims.Layers, [15496, 11, LlamaStepper.PadToken])]).Single();

        Assert.Equal(LlamaStepper.PadToken, ArgMax(result.Logits[^1]));
    }

    [Theory]
    [InlineData(1, 32, 4, 4, 8, 48, 300)]
    [InlineData(3, 48, 6, 2, 8, 96, 1000)]
    public void Build_RandomFloatWeightsOfAnyDims_RunsWithACache(int layers, int hidden, int heads, int kvHeads, int headSize, int intermediate, int vocab)
    {
        var dims = new LlamaDecoderDims(layers, hidden, heads, kvHeads, headSize, intermediate, vocab);
        using var session = new InferenceSession(LlamaDecoder.Build(dims));
        var stepper = new LlamaStepper(session, layers, kvHeads, headSize, vocab);
        long[] prompt = [5, 17, 42, 99, 3, 250];

        var first = stepper.Step([LlamaStepper.Row.First(layers, prompt[..4])]).Single();
        var next = stepper.Step([new LlamaStepper.Row(first.Keys, first.Values, first.Length, prompt[4..])]).Single();
        var whole = stepper.Step([LlamaStepper.Row.First(layers, prompt)]).Single();

        Assert.Equal(prompt.Length, next.Length);
        Assert.All(next.Logits, l => Assert.Equal(vocab, l.Length));
        AssertClose(whole.Logits[^1], next.Logits[^1]);
        AssertClose(whole.Values[^1], next.Values[^1]);
        Assert.Equal(LlamaDecoder.Build(dims), LlamaDecoder.Build(dims));
    }

    private Decoded Alone(long[] prompt, List<(float, float)> margins)
    {
        var decoded = new Decoded();
        var result = model.Stepper.Step([LlamaStepper.Row.First(Dims.Layers, prompt)]).Single();
        for (var s = 0; s < Steps; s++)
        {
            var token = decoded.Add(result.Logits[^1], margins);
            if (s + 1 < Steps)
            {
                result = model.Stepper.Step([result.Next(token)]).Single();
            }
        }

        return decoded;
    }

    // Continuous batching: prompts join at their arrival step (prefill beside others' decode steps) and leave after Steps tokens.
    private Decoded[] Batched(List<(float, float)> margins)
    {
        var decoded = Prompts.Select(_ => new Decoded()).ToArray();
        var pending = new LlamaStepper.Row?[Prompts.Length];
        for (var step = 0; decoded.Any(d => d.Tokens.Count < Steps); step++)
        {
            var active = new List<int>();
            for (var p = 0; p < Prompts.Length; p++)
            {
                if (Arrivals[p] == step)
                {
                    pending[p] = LlamaStepper.Row.First(Dims.Layers, Prompts[p]);
                }

                if (pending[p] is not null)
                {
                    active.Add(p);
                }
            }

            var results = model.Stepper.Step(active.Select(p => pending[p]!).ToArray());
            for (var i = 0; i < active.Count; i++)
            {
                var p = active[i];
                var token = decoded[p].Add(results[i].Logits[^1], margins);
                pending[p] = decoded[p].Tokens.Count < Steps ? results[i].Next(token) : null;
            }
        }

        return decoded;
    }

    private static long ArgMax(float[] logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            best = logits[i] > logits[best] ? i : best;
        }

        return best;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > 1e-3f)
            {
                Assert.Fail($"element {i}: {expected[i]} vs {actual[i]}");
            }
        }
    }

    private static long[] Seeded(int length)
    {
        var random = new Random(length);
        return Enumerable.Range(0, length).Select(_ => (long)random.Next(0, 50256)).ToArray();
    }

    private sealed class Decoded
    {
        public List<long> Tokens { get; } = [];

        public List<float[]> Logits { get; } = [];

        public long Add(float[] logits, List<(float, float)> margins)
        {
            var token = ArgMax(logits);
            var second = float.NegativeInfinity;
            for (var i = 0; i < logits.Length; i++)
            {
                second = i != token && logits[i] > second ? logits[i] : second;
            }

            margins.Add((logits[token] - second, (logits[token] - second) / Math.Abs(logits[token])));
            Tokens.Add(token);
            Logits.Add(logits);
            return token;
        }
    }

    /// <summary>One session of the sample's tiny_llama, built by the ModelBuilder, shared by the class's tests.</summary>
    public sealed class Model : IDisposable
    {
        public Model()
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1 };
            Session = new InferenceSession(LlamaDecoder.Build(Dims, LlamaWeights.Coded), options);
            Stepper = new LlamaStepper(Session, Dims.Layers, Dims.KvHeads, Dims.HeadSize, Dims.Vocab);
        }

        public InferenceSession Session { get; }

        internal LlamaStepper Stepper { get; }

        public void Dispose() => Session.Dispose();
    }
}
