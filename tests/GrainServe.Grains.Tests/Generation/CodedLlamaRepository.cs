using GrainServe.ModelBuilder;
using GrainServe.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// The sample repository's <c>tiny_llama</c> decoder (<see cref="LlamaDecoderDims.Tiny"/>, <see cref="LlamaWeights.Coded"/>:
/// greedy choices with a wide margin, so batching cannot flip a token on rounding) written with either attention into
/// a temporary folder as <c>model.onnx</c> beside a <c>genai_config.json</c>.
/// </summary>
internal static class CodedLlamaRepository
{
    public const int Context = 512;

    public const int EndOfText = 50256;

    public static string Config { get; } = $$"""
        { "model": { "type": "llama", "vocab_size": 50257, "context_length": {{Context}}, "eos_token_id": {{EndOfText}}, "bos_token_id": {{EndOfText}},
          "decoder": { "filename": "model.onnx", "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_size": 16, "hidden_size": 64,
            "inputs": { "input_ids": "input_ids", "attention_mask": "attention_mask", "position_ids": "position_ids",
              "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value" },
            "outputs": { "logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value" } } } }
        """;

    /// <summary>Writes model.onnx (the decoder with <paramref name="attention"/>) and genai_config.json into a temporary folder.</summary>
    public static TempRepository Write(LlamaAttention attention)
    {
        var repository = new TempRepository().File(GenAiConfig.FileName, Config);
        File.WriteAllBytes(ModelPath(repository), LlamaDecoder.Build(LlamaDecoderDims.Tiny, LlamaWeights.Coded, attention: attention));
        return repository;
    }

    public static string ModelPath(TempRepository repository) => Path.Combine(repository.Root, "model.onnx");

    public static OnnxDecoderStepModel Load(TempRepository repository, KvBinding kvBinding = KvBinding.Host)
    {
        using var options = TinyGpt2.Options();
        return OnnxDecoderStepModel.Load(ModelPath(repository), options, kvBinding);
    }

    /// <summary>
    /// Greedy tokens of <paramref name="prompt"/> decoded alone (the prompt in one run, then one token a run) and each
    /// one's log-probability. The coded weights' margins keep greedy tokens from moving on any error in the cache (the
    /// context enters a token's logits at 0.3 against a margin of 0.3), so tests compare the log-probabilities too.
    /// </summary>
    public static (int[] Tokens, float[] Logprobs) GreedyAlone(OnnxDecoderStepModel model, long sequenceId, int[] prompt, int tokens)
    {
        var generated = new List<int>();
        var logprobs = new List<float>();
        var logits = model.Run([new StepEntry(sequenceId, prompt, 0, true)]);
        for (var i = 0; i < tokens; i++)
        {
            var row = logits.Row(0);
            generated.Add(ArgMax(row));
            logprobs.Add((float)(row[generated[^1]] - LogSoftmax.LogSumExp(row)));
            if (i + 1 < tokens)
            {
                logits = model.Run([new StepEntry(sequenceId, new[] { generated[^1] }, prompt.Length + i, true)]);
            }
        }

        model.Release(sequenceId);
        return ([.. generated], [.. logprobs]);
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            best = logits[i] > logits[best] ? i : best;
        }

        return best;
    }

    /// <summary>A prompt of <paramref name="length"/> seeded ids below end of text.</summary>
    public static int[] Prompt(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => random.Next(0, EndOfText))];
    }
}
