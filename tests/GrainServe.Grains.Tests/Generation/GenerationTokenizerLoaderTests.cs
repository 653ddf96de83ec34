using GrainServe.Runtime;

namespace GrainServe.Generation;

public sealed class GenerationTokenizerLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grainserve-tok-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("Unigram")]
    [InlineData("WordPiece")]
    public void Load_ModelTypeNotBpe_FailsNamingIt(string type)
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), $$"""{ "model": { "type": "{{type}}", "vocab": [] }, "added_tokens": [] }""");

        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains($"model.type '{type}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BpeWithoutByteLevel_FailsNamingThePreTokenizer()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """{ "model": { "type": "BPE", "vocab": {}, "merges": [] }, "pre_tokenizer": { "type": "Metaspace" } }""");

        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains("pre_tokenizer 'Metaspace'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoTokenizerFile_FailsSayingWhatToDo()
    {
        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains("tokenizer.json is not in", error.Message, StringComparison.Ordinal);
        Assert.Contains("'gpt2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOutsideTheFolder_Fails()
    {
        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, "../tokenizer.json"));

        Assert.Contains("outside the version folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SmallByteLevelBpe_MergesAsPairsAndConfigObjects()
    {
        // Merges written as pairs (newer tokenizers), eos_token as an object, add_bos_token, generation_config EOS.
        File.WriteAllText(Path.Combine(_folder, "my-tokenizer.json"), """
            {
              "added_tokens": [
                { "id": 7, "content": "<s>", "special": true },
                { "id": 8, "content": "</s>", "special": true },
                { "id": 9, "content": "<|eot|>", "special": true }
              ],
              "normalizer": null,
              "pre_tokenizer": { "type": "ByteLevel", "add_prefix_space": false, "use_regex": true },
              "model": {
                "type": "BPE",
                "vocab": { "a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġab": 4, "c": 5, "abc": 6 },
                "merges": [ ["a", "b"], ["Ġ", "ab"], ["ab", "c"] ]
              }
            }
            """);
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """
            { "add_bos_token": true, "bos_token": "<s>", "eos_token": { "content": "</s>", "special": true } }
            """);
        File.WriteAllText(Path.Combine(_folder, "generation_config.json"), """{ "eos_token_id": [8, 9] }""");

        var tokenizer = GenerationTokenizerLoader.Load(_folder, "my-tokenizer.json");

        Assert.Equal([7, 3, 4, 6, 9], tokenizer.Encode("ab ababc<|eot|>"));
        Assert.Equal(7, tokenizer.BosTokenId);
        Assert.True(tokenizer.AddBosToken);
        Assert.Equal([8, 9], tokenizer.EosTokenIds);
        Assert.Equal("ab ababc", tokenizer.Decode(tokenizer.Encode("ab ababc<|eot|>"), skipSpecialTokens: true));
        Assert.Equal(10, tokenizer.VocabularySize);
    }
}
