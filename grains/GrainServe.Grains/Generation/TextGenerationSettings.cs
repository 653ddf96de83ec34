using System.Globalization;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// The <c>parameters</c> of a text generation model's config.json (Triton's <c>string_value</c> map): the tokenizer, the
/// chat template, the scheduler's limits (with vLLM's names) and how decoder steps reach ONNX Runtime.
/// </summary>
public sealed record TextGenerationSettings
{
    /// <summary>Default KV cache pool: 256 MiB.</summary>
    public const long DefaultKvCacheBytes = 256L << 20;

    private static readonly Dictionary<string, KvBinding> KvBindingNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = KvBinding.Host,
        ["iobinding"] = KvBinding.IoBinding,
    };

    /// <summary>
    /// The tokenizer: a file in the version folder (default <c>tokenizer.json</c>, or <c>tokenizer.model</c> where there
    /// is no tokenizer.json), or a named encoding served with the server (<c>gpt2</c>). Parameter <c>tokenizer</c>.
    /// </summary>
    public string? Tokenizer { get; init; }

    /// <summary>
    /// The chat template by name (<c>chatml</c>, <c>llama3</c>, <c>mistral</c>…), or <see cref="ChatTemplates.TokenizerConfig"/>
    /// for the model's own Jinja template; null uses the model's own when its folder has one, else serves no chat route.
    /// Parameter <c>chat_template</c>.
    /// </summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The engine's limits: <c>max_num_seqs</c>, <c>max_num_batched_tokens</c>, <c>max_model_len</c>, <c>enable_chunked_prefill</c>, <c>kv_cache_bytes</c>, <c>block_size</c>.</summary>
    public EngineOptions Engine { get; init; } = new() { KvCacheBytes = DefaultKvCacheBytes };

    /// <summary>
    /// How each decoder step hands its KV cache to ONNX Runtime: <c>host</c> (the default, <see cref="KvBinding.Host"/>)
    /// or <c>iobinding</c> (<see cref="KvBinding.IoBinding"/>: preallocated buffers bound with <c>OrtIoBinding</c>, the
    /// KV tensors in device memory under the CUDA provider). Parameter <c>kv_binding</c>, case-insensitive.
    /// </summary>
    public KvBinding KvBinding { get; init; } = KvBinding.Host;

    /// <summary>Reads the settings; throws <see cref="ModelLoadException"/> listing every bad value.</summary>
    public static TextGenerationSettings FromConfig(string modelName, ModelConfig config)
    {
        var parameters = config.Parameters ?? [];
        var problems = new List<string>();
        string? Text(string key) => parameters.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value.StringValue) ? value.StringValue : null;
        long? Number(string key, long min)
        {
            if (Text(key) is not { } text)
            {
                return null;
            }

            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min)
            {
                return value;
            }

            problems.Add($"parameter {key} is '{text}'; use a whole number of at least {min}");
            return null;
        }

        var engine = new EngineOptions { KvCacheBytes = Number("kv_cache_bytes", 1) ?? DefaultKvCacheBytes };
        if (Number("max_num_seqs", 1) is { } seqs)
        {
            engine = engine with { MaxNumSeqs = (int)Math.Min(seqs, int.MaxValue) };
        }

        if (Number("max_num_batched_tokens", 1) is { } tokens)
        {
            engine = engine with { MaxNumBatchedTokens = (int)Math.Min(tokens, int.MaxValue) };
        }

        if (Number("max_model_len", 1) is { } length)
        {
            engine = engine with { MaxModelLen = (int)Math.Min(length, int.MaxValue) };
        }

        if (Number("block_size", 1) is { } block)
        {
            engine = engine with { BlockSize = (int)Math.Min(block, 4096) };
        }

        if (Text("enable_chunked_prefill") is { } chunked)
        {
            if (bool.TryParse(chunked, out var flag))
            {
                engine = engine with { EnableChunkedPrefill = flag };
            }
            else
            {
                problems.Add($"parameter enable_chunked_prefill is '{chunked}'; use true or false");
            }
        }

        var template = Text("chat_template");
        if (template is not null && !ChatTemplates.TryGet(template, out _) && !string.Equals(template, ChatTemplates.TokenizerConfig, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"parameter chat_template is '{template}'; use one of {string.Join(", ", ChatTemplates.Names)}, or {ChatTemplates.TokenizerConfig} for the model's own Jinja template");
        }

        var kvBinding = KvBinding.Host;
        if (Text("kv_binding") is { } binding && !KvBindingNames.TryGetValue(binding, out kvBinding))
        {
            problems.Add($"parameter kv_binding is '{binding}'; use one of {string.Join(", ", KvBindingNames.Keys)}");
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException($"model '{modelName}': {string.Join("; ", problems)}");
        }

        return new TextGenerationSettings { Tokenizer = Text("tokenizer"), ChatTemplate = template, Engine = engine, KvBinding = kvBinding };
    }
}
