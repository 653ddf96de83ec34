using GrainServe.Runtime;

namespace GrainServe.Generation;

public sealed class GenAiConfigTests
{
    [Fact]
    public void Parse_Gpt2Config_ReadsModelAndDecoder()
    {
        var config = GenAiConfig.Parse("""
            { "model": { "type": "gpt2", "pad_token_id": 98, "bos_token_id": 98, "eos_token_id": 98, "vocab_size": 1000, "context_length": 512,
              "decoder": { "filename": "past.onnx", "num_key_value_heads": 4, "head_size": 8, "num_hidden_layers": 5,
                "inputs": { "past_names": "past_%d" }, "outputs": { "present_names": "present_%d" } } } }
            """);

        Assert.Equal("gpt2", config.ModelType);
        Assert.Equal(512, config.ContextLength);
        Assert.Equal(1000, config.VocabularySize);
        Assert.Equal([98], config.EosTokenIds);
        Assert.Equal(98, config.BosTokenId);
        Assert.Equal(98, config.PadTokenId);
        Assert.Equal("past.onnx", config.DecoderFileName);
        Assert.Equal(5, config.NumHiddenLayers);
        Assert.Equal(4, config.NumKeyValueHeads);
        Assert.Null(config.NumAttentionHeads);
        Assert.Equal(8, config.HeadSize);
        Assert.Equal("past_%d", config.DecoderInputs["past_names"]);
        Assert.Equal("present_3", GenAiConfig.LayerName(config.DecoderOutputs["present_names"], 3));
    }

    [Fact]
    public void Parse_EosArrayAndSeparateKvNames_ReadsAll()
    {
        var config = GenAiConfig.Parse("""
            { "model": { "eos_token_id": [128001, 128009], "context_length": 8192,
              "decoder": { "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_size": 4096,
                "inputs": { "input_ids": "input_ids", "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value" },
                "outputs": { "logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value" } } },
              "search": { "max_length": 8192 } }
            """);

        Assert.Equal([128001, 128009], config.EosTokenIds);
        Assert.Equal(32, config.NumAttentionHeads);
        Assert.Equal(8, config.NumKeyValueHeads);
        Assert.Equal(4096, config.HiddenSize);
        Assert.Null(config.VocabularySize);
        Assert.Equal("past_key_values.%d.value", config.DecoderInputs["past_value_names"]);
    }

    [Fact]
    public void TryLoad_WhisperTestConfig_ReadsCrossAttentionNames()
    {
        if (Path.Combine(TestSupport.SharedData.Folder("whisper-genai-test", nameof(TryLoad_WhisperTestConfig_ReadsCrossAttentionNames)) ?? "", GenAiConfig.FileName) is var path && !File.Exists(path))
        {
            return;
        }

        var config = GenAiConfig.TryLoad(Path.GetDirectoryName(path)!)!;

        Assert.Equal("whisper", config.ModelType);
        Assert.Equal([50257], config.EosTokenIds);
        Assert.Equal(51865, config.VocabularySize);
        Assert.Equal(6, config.NumAttentionHeads);
        Assert.Equal("past_key_cross_%d", config.DecoderInputs["cross_past_key_names"]);
    }

    [Theory]
    [InlineData("not json", "")]
    [InlineData("""{ "search": {} }""", "no \"model\" object")]
    [InlineData("""{ "model": { "vocab_size": "many" } }""", "")]
    public void Parse_Malformed_ThrowsModelLoadException(string json, string expected)
    {
        var error = Assert.Throws<ModelLoadException>(() => GenAiConfig.Parse(json, "x/genai_config.json"));

        Assert.StartsWith("x/genai_config.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void TryLoad_NoFile_ReturnsNull()
    {
        Assert.Null(GenAiConfig.TryLoad(Path.GetTempPath()));
    }
}
