using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Generation;

public sealed class TextGenerationSettingsTests
{
    private static ModelConfig Config(params (string Key, string Value)[] parameters) => new()
    {
        Parameters = parameters.ToDictionary(p => p.Key, p => new ModelParameterConfig { StringValue = p.Value }),
    };

    [Fact]
    public void FromConfig_NoParameters_VllmDefaults()
    {
        var settings = TextGenerationSettings.FromConfig("m", Config(("model_kind", "text_generation")));

        Assert.Null(settings.Tokenizer);
        Assert.Null(settings.ChatTemplate);
        Assert.Equal(256, settings.Engine.MaxNumSeqs);
        Assert.Equal(2048, settings.Engine.MaxNumBatchedTokens);
        Assert.Null(settings.Engine.MaxModelLen);
        Assert.True(settings.Engine.EnableChunkedPrefill);
        Assert.Equal(TextGenerationSettings.DefaultKvCacheBytes, settings.Engine.KvCacheBytes);
        Assert.Equal(16, settings.Engine.BlockSize);
        Assert.Equal(KvBinding.Host, settings.KvBinding);
    }

    [Theory]
    [InlineData("host", KvBinding.Host)]
    [InlineData("iobinding", KvBinding.IoBinding)]
    [InlineData("IOBinding", KvBinding.IoBinding)]
    public void FromConfig_KvBinding_IsRead(string value, KvBinding expected)
    {
        var settings = TextGenerationSettings.FromConfig("m", Config(("kv_binding", value)));

        Assert.Equal(expected, settings.KvBinding);
    }

    [Fact]
    public void FromConfig_EveryKnob_IsRead()
    {
        var settings = TextGenerationSettings.FromConfig("m", Config(
            ("tokenizer", "gpt2"), ("chat_template", "llama3"), ("max_num_seqs", "8"), ("max_num_batched_tokens", "128"),
            ("max_model_len", "1024"), ("enable_chunked_prefill", "false"), ("kv_cache_bytes", "1048576"), ("block_size", "32")));

        Assert.Equal("gpt2", settings.Tokenizer);
        Assert.Equal("llama3", settings.ChatTemplate);
        Assert.Equal(new EngineOptions { MaxNumSeqs = 8, MaxNumBatchedTokens = 128, MaxModelLen = 1024, EnableChunkedPrefill = false, KvCacheBytes = 1 << 20, BlockSize = 32 }, settings.Engine);
    }

    [Theory]
    [InlineData("tokenizer_config")]
    [InlineData("Tokenizer_Config")]
    [InlineData("qwen2.5")]
    public void FromConfig_ChatTemplate_NamedOrTheModelsOwn(string value)
    {
        Assert.Equal(value, TextGenerationSettings.FromConfig("m", Config(("chat_template", value))).ChatTemplate);
    }

    [Fact]
    public void FromConfig_BadValues_ListsEachWithItsFix()
    {
        var error = Assert.Throws<ModelLoadException>(() => TextGenerationSettings.FromConfig("m", Config(
            ("max_num_seqs", "0"), ("kv_cache_bytes", "lots"), ("enable_chunked_prefill", "maybe"), ("chat_template", "jinja"), ("kv_binding", "cuda"))));

        Assert.Contains("max_num_seqs is '0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("kv_cache_bytes is 'lots'", error.Message, StringComparison.Ordinal);
        Assert.Contains("enable_chunked_prefill is 'maybe'; use true or false", error.Message, StringComparison.Ordinal);
        Assert.Contains("chat_template is 'jinja'; use one of", error.Message, StringComparison.Ordinal);
        Assert.Contains("or tokenizer_config for the model's own Jinja template", error.Message, StringComparison.Ordinal);
        Assert.Contains("kv_binding is 'cuda'; use one of host, iobinding", error.Message, StringComparison.Ordinal);
    }
}
