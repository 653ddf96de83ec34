using GrainServe.Runtime;

namespace GrainServe.Generation;

public sealed class GenerationTokenizerLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grainserve-tok-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("WordLevel")]
    [InlineData("WordPiece")]
    public void Load_ModelTypeNotBpe_FailsNamingIt(string type)
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), $$"""{ "model": { "type": "{{type}}", "vocab": [] }, "added_tokens": [] }""");

        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains($"model.type '{type}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BpeWithoutByteLevelOrMetaspace_FailsNamingThePreTokenizer()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """{ "model": { "type": "BPE", "vocab": {}, "merges": [] }, "pre_tokenizer": { "type": "Whitespace" } }""");

        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains("pre_tokenizer 'Whitespace'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoTokenizerFile_FailsSayingWhatToDo()
    {
        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains("tokenizer.json is not in", error.Message, StringComparison.Ordinal);
        Assert.Contains("nor is tokenizer.model", error.Message, StringComparison.Ordinal);
        Assert.Contains("'gpt2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OnlyTokenizerModel_BuildsTheSentencePieceModel()
    {
        File.WriteAllBytes(Path.Combine(_folder, "tokenizer.model"), LlamaStyleTokenizer.ModelProto());

        var tokenizer = GenerationTokenizerLoader.Load(_folder, null);

        Assert.EndsWith("tokenizer.model (SentencePiece BPE, byte fallback)", tokenizer.Description, StringComparison.Ordinal);
        Assert.Equal([1, LlamaStyleTokenizer.T("▁hel"), LlamaStyleTokenizer.T("lo")], tokenizer.Encode("hello"));
    }

    [Fact]
    public void Load_TokenizerJsonAndTokenizerModel_TheJsonWins()
    {
        // The two disagree on "hello": the model ranks ll first (▁h e llo), the JSON el first (▁hel lo).
        File.WriteAllBytes(Path.Combine(_folder, "tokenizer.model"), LlamaStyleTokenizer.ModelProto(scores: new Dictionary<string, float> { ["ll"] = -0.5f }));
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), LlamaStyleTokenizer.TokenizerJson());

        var tokenizer = GenerationTokenizerLoader.Load(_folder, null);

        Assert.EndsWith("tokenizer.json (Metaspace BPE, byte fallback, normalizer Prepend+Replace)", tokenizer.Description, StringComparison.Ordinal);
        Assert.Equal([LlamaStyleTokenizer.T("▁hel"), LlamaStyleTokenizer.T("lo")], tokenizer.Encode("hello", addBosToken: false));
        File.Delete(Path.Combine(_folder, "tokenizer.json"));
        Assert.Equal([LlamaStyleTokenizer.T("▁h"), LlamaStyleTokenizer.T("e"), LlamaStyleTokenizer.T("llo")], GenerationTokenizerLoader.Load(_folder, null).Encode("hello", addBosToken: false));
    }

    [Fact]
    public void Load_SettingNamesADotModelFile_ReadsItAsSentencePiece()
    {
        File.WriteAllBytes(Path.Combine(_folder, "spm.model"), LlamaStyleTokenizer.ModelProto());
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """{ "model": { "type": "Unigram", "vocab": [] } }""");

        var tokenizer = GenerationTokenizerLoader.Load(_folder, "spm.model");

        Assert.Contains("SentencePiece BPE", tokenizer.Description, StringComparison.Ordinal);
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

    [Fact]
    public void Load_MissingVocab_FailsAsModelLoad()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """{ "model": { "type": "BPE", "merges": [] }, "pre_tokenizer": { "type": "ByteLevel" } }""");

        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains("is not a tokenizer this server can read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SplitThenByteLevel_UsesTheSplitRegex()
    {
        // Llama 3's pre-tokenizer: digits go in runs of at most three, so "1234" is "123" and "4"; GPT-2's regex
        // would keep "1234" whole and merge it into one token.
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """
            {
              "normalizer": null,
              "pre_tokenizer": {
                "type": "Sequence",
                "pretokenizers": [
                  { "type": "Split", "pattern": { "Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, "behavior": "Isolated", "invert": false },
                  { "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false }
                ]
              },
              "model": {
                "type": "BPE",
                "vocab": { "1": 0, "2": 1, "3": 2, "4": 3, "12": 4, "34": 5, "1234": 6, "123": 7 },
                "merges": [ "1 2", "3 4", "12 34", "12 3" ]
              }
            }
            """);

        var tokenizer = GenerationTokenizerLoader.Load(_folder, null);

        Assert.Equal([7, 3], tokenizer.Encode("1234"));
    }

    [Fact]
    public void Load_NfcNormalizer_ComposesBeforeEncoding()
    {
        // Qwen2's normalizer. é is C3 A9 in UTF-8, written Ã© in the byte-level alphabet; e + U+0301 composes to it with
        // the server's own tables (InvariantGlobalization leaves string.Normalize a no-op on non-ASCII text).
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """
            {
              "normalizer": { "type": "NFC" },
              "pre_tokenizer": { "type": "ByteLevel", "add_prefix_space": false, "use_regex": true },
              "model": { "type": "BPE", "vocab": { "Ã": 0, "©": 1, "Ã©": 2 }, "merges": [ "Ã ©" ] }
            }
            """);

        var tokenizer = GenerationTokenizerLoader.Load(_folder, null);

        Assert.Equal([2], tokenizer.Encode("\u00e9"));
        Assert.Equal([2], tokenizer.Encode("e\u0301"));
        Assert.Equal("\u00e9", tokenizer.Decode([2], false));
    }

    [Fact]
    public void Load_EosTokenNotInTheVocabulary_FailsNamingIt()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """
            { "pre_tokenizer": { "type": "ByteLevel" }, "model": { "type": "BPE", "vocab": { "a": 0 }, "merges": [] } }
            """);
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """{ "eos_token": "<|im_end|>" }""");

        var error = Assert.Throws<ModelLoadException>(() => GenerationTokenizerLoader.Load(_folder, null));

        Assert.Contains("eos_token '<|im_end|>' is not a token", error.Message, StringComparison.Ordinal);
    }
}
