using System.Runtime.InteropServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Runtime;
using GrainServe.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Embeddings;

[Trait("Category", "RealModel")]
public sealed class SentenceEmbeddingRunnerTests
{
    private const string Arctic = "arctic_embed_xs";
    private const string MiniLm = "minilm_l6";

    private static readonly string[] Sentences =
    [
        "The cat sits on the mat.",
        "A kitten is resting on a rug.",
        "Quarterly revenue grew by eight percent, beating analyst expectations for the third year running.",
        "How do I reset my password?",
    ];

    [Theory]
    [InlineData(Arctic, "cls")]
    [InlineData(MiniLm, "mean")]
    public async Task Run_Paraphrases_ScoreClearlyHigherThanUnrelatedSentences(string model, string pooling)
    {
        using var repository = RealModels.Repository(model, RealModels.EmbeddingConfig(pooling));
        using var runner = RealModels.Runner(repository, model);

        var e = await RealModels.EmbedAsync(runner, Sentences);

        var paraphrase = RealModels.Dot(e[0], e[1]);
        Assert.All(new[] { RealModels.Dot(e[0], e[2]), RealModels.Dot(e[0], e[3]), RealModels.Dot(e[1], e[2]) }, unrelated => Assert.True(paraphrase > unrelated + 0.1f, $"paraphrase {paraphrase}, unrelated {unrelated}"));
        Assert.All(e, v => Assert.Equal(1f, MathF.Sqrt(RealModels.Dot(v, v)), 3));
    }

    [Fact]
    public async Task Run_EqualsReferenceComputedStraightWithOnnxRuntime()
    {
        using var repository = RealModels.Repository(Arctic, RealModels.EmbeddingConfig("cls"));
        using var runner = RealModels.Runner(repository, Arctic);
        var served = await RealModels.EmbedAsync(runner, Sentences);

        // The reference: the same files, one text at a time, no padding, CLS state then L2.
        var folder = RealModels.VersionFolder(Arctic);
        var tokenizer = BertTokenizer.Create(Path.Combine(folder, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        using var session = new InferenceSession(Path.Combine(folder, "model.onnx"));
        for (var i = 0; i < Sentences.Length; i++)
        {
            var ids = tokenizer.EncodeToIds(Sentences[i]).Select(t => (long)t).ToArray();
            long[] shape = [1, ids.Length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape);
            using var types = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
            using var run = new RunOptions();
            using var results = session.Run(run, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, mask, types], ["last_hidden_state"]);
            var cls = results[0].GetTensorDataAsSpan<float>()[..384].ToArray();
            var norm = MathF.Sqrt(RealModels.Dot(cls, cls));
            var reference = cls.Select(v => v / norm).ToArray();

            Assert.True(served[i].Zip(reference).All(p => MathF.Abs(p.First - p.Second) < 1e-5f), $"sentence {i} differs from the reference");
        }
    }

    [Fact]
    public async Task Run_BatchOfDifferentLengths_GivesEachTheSameAnswerAsAlone()
    {
        using var repository = RealModels.Repository(Arctic, RealModels.EmbeddingConfig("cls"));
        using var runner = RealModels.Runner(repository, Arctic);

        var together = await RealModels.EmbedAsync(runner, Sentences);
        for (var i = 0; i < Sentences.Length; i++)
        {
            var alone = (await RealModels.EmbedAsync(runner, Sentences[i]))[0];
            Assert.True(together[i].Zip(alone).All(p => MathF.Abs(p.First - p.Second) < 1e-5f), $"sentence {i} changed when batched");
        }
    }

    [Fact]
    public async Task Run_LengthBucketed_GivesTheSameAnswersInTheSameOrderAsOnePaddedRun()
    {
        // Lengths far apart, out of order, so that the default plan makes several runs and must put each answer back.
        string[] texts = [string.Concat(Enumerable.Repeat("long sentence about rivers ", 30)), "hi", Sentences[0], "ok then", string.Concat(Enumerable.Repeat("word ", 60)), Sentences[2]];
        using var bucketedRepository = RealModels.Repository(Arctic, RealModels.EmbeddingConfig("mean"));
        using var bucketed = RealModels.Runner(bucketedRepository, Arctic);
        using var paddedRepository = RealModels.Repository(Arctic, RealModels.EmbeddingConfig("mean", maxPaddingFraction: "1"));
        using var padded = RealModels.Runner(paddedRepository, Arctic);
        Assert.True(LengthBuckets.Plan([.. texts.Select(t => t.Split(' ').Length)], 0.25).Count > 2, "the texts should make several runs");

        var split = await RealModels.EmbedAsync(bucketed, texts);
        var whole = await RealModels.EmbedAsync(padded, texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(split[i].Zip(whole[i]).All(p => MathF.Abs(p.First - p.Second) < 1e-5f), $"text {i} differs between bucketed and padded runs");
        }

        Assert.True(RealModels.Dot(split[1], split[3]) < 0.99f, "different texts must not share an embedding");
    }

    [Fact]
    public async Task Run_EmptyAndVeryLongText_AnswerWithTruncation()
    {
        using var repository = RealModels.Repository(Arctic, RealModels.EmbeddingConfig("cls"));
        using var runner = RealModels.Runner(repository, Arctic);

        var outputs = await runner.RunAsync([RealModels.Texts("", string.Concat(Enumerable.Repeat("word ", 20_000)))], ["EMBEDDING", "TOKEN_COUNT"], CancellationToken.None);

        Assert.Equal([2L, 512L], MemoryMarshal.Cast<byte, long>(outputs[1].Data).ToArray());
        Assert.All(MemoryMarshal.Cast<byte, float>(outputs[0].Data).ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Validate_NonUtf8OrTooLongWithoutTruncation_IsInvalidInput()
    {
        using var repository = RealModels.Repository(Arctic, RealModels.EmbeddingConfig("cls", truncate: false, maxLength: 16));
        using var runner = RealModels.Runner(repository, Arctic);

        var notUtf8 = runner.Validate(new InferenceRequest(null, null, [RealModels.Texts([0xC3, 0x28])], null));
        var tooLong = runner.Validate(new InferenceRequest(null, null, [RealModels.Texts("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen")], null));
        var fine = runner.Validate(new InferenceRequest(null, null, [RealModels.Texts("short enough")], null));

        Assert.Equal(InferenceErrorCode.InvalidInput, notUtf8!.Code);
        Assert.Contains("not valid UTF-8", notUtf8.Message);
        Assert.Contains("at most 16", tooLong!.Message);
        Assert.Null(fine);
    }

    [Theory]
    [InlineData("""{ "parameters": { "model_kind": { "string_value": "sentence_embedding" }, "pooling": { "string_value": "max" } } }""", "use cls or mean")]
    [InlineData("""{ "parameters": { "model_kind": { "string_value": "sentence_embedding" }, "vocab_file": { "string_value": "missing.txt" } } }""", "missing.txt is not in")]
    [InlineData("""{ "parameters": { "model_kind": { "string_value": "sentence_embedding" }, "max_padding_fraction": { "string_value": "1.5" } } }""", "max_padding_fraction is '1.5'; use a number from 0 to 1")]
    [InlineData("""{ "parameters": { "model_kind": { "string_value": "sentence_embedding" }, "max_padding_fraction": { "string_value": "-0.1" } } }""", "use a number from 0 to 1")]
    [InlineData("""{ "parameters": { "model_kind": { "string_value": "sentence_embedding" } }, "output": [{ "name": "E", "data_type": "TYPE_FP32", "dims": [768] }] }""", "hidden size")]
    public void Create_BadEmbeddingConfig_FailsWithReason(string config, string expected)
    {
        using var repository = RealModels.Repository(Arctic, config);
        var error = Assert.Throws<ModelLoadException>(() => RealModels.Runner(repository, Arctic));
        Assert.Contains(expected, error.Message);
    }
}
