using GrainServe.Runtime;
using GrainServe.TestSupport;
using static GrainServe.Generation.LlamaStyleTokenizer;

namespace GrainServe.Generation;

/// <summary>
/// SentencePiece tokenizer.model files (<see cref="LlamaStyleTokenizer.ModelProto"/>). A BPE model merges the adjacent
/// pair whose concatenation is the highest-scored piece, leftmost first among equals. Each expectation follows from
/// that by hand; the same files were run through SentencePiece 0.1.97 while this was written and gave the same ids.
/// </summary>
public sealed class GenerationTokenizerSentencePieceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grainserve-spm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Encode_HelloWorld_MergesHighestScoreFirst()
    {
        var tokenizer = Load(ModelProto());

        // The dummy prefix and ▁ for spaces give ▁hello▁world. el (-1) beats ll (-3), so the first l goes into el; lo
        // (-2) takes the second l and the o; then ▁h, ▁w, or, ▁hel, ▁wor, ▁worl, ▁world. bos_id 1 comes first.
        Assert.Equal([1, T("▁hel"), T("lo"), T("▁world")], tokenizer.Encode("hello world"));
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal([2], tokenizer.EosTokenIds);
        Assert.Contains("SentencePiece BPE, byte fallback", tokenizer.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ScoresChanged_ChangesTheIds()
    {
        var tokenizer = Load(ModelProto(scores: new Dictionary<string, float> { ["ll"] = -0.5f }));

        // ll now outranks el: ▁ h e ll o, no piece "ell" or "el" + "l", so ll + o → llo and ▁ + h → ▁h.
        Assert.Equal([T("▁h"), T("e"), T("llo"), T("▁world")], tokenizer.Encode("hello world", addBosToken: false));
    }

    [Fact]
    public void Encode_EqualScores_TakesTheLeftmostPair()
    {
        var tokenizer = Load(ModelProto());

        // ▁ e l l l l: el first, then two ll pairs of the same score over l l l: SentencePiece merges the left one.
        // (Microsoft.ML.Tokenizers 2.0.1's SentencePieceTokenizer merges the right one: ▁ el l ll.)
        Assert.Equal([T("▁"), T("el"), T("ll"), T("l")], tokenizer.Encode("ellll", addBosToken: false));
    }

    [Fact]
    public void Encode_CharactersOutsideThePieces_FallBackToBytes()
    {
        var tokenizer = Load(ModelProto());

        Assert.Equal([T("▁"), T("你"), B(0xE5), B(0xA5), B(0xBD)], tokenizer.Encode("你好", addBosToken: false));
        Assert.Equal([T("▁"), B(0xF0), B(0x9F), B(0x8E), B(0x89)], tokenizer.Encode("🎉", addBosToken: false));
        Assert.Equal([T("▁hel"), T("lo"), B(0x0A), T("w"), T("or"), T("l"), T("d")], tokenizer.Encode("hello\nworld", addBosToken: false));
    }

    [Fact]
    public void Encode_SameTextAsTheConvertedTokenizerJson_SameIds()
    {
        var model = Load(ModelProto());
        var json = LoadJson(TokenizerJson());

        // LlamaStyleTokenizer.Merges are what Hugging Face's converter derives from this model's scores.
        foreach (var text in new[] { "hello world", "héllo", "ellll lllo", " hello  world ", "Héllo wörld, naïve café — 你好，世界！ 🎉👍🏽", "hello</s>world<s>" })
        {
            Assert.Equal(json.Encode(text), model.Encode(text));
            Assert.Equal(json.Decode(json.Encode(text), true), model.Decode(model.Encode(text), true));
        }
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("Héllo wörld, naïve café")]
    [InlineData("你好，世界！")]
    [InlineData("🎉👍🏽 emoji\nand a new line")]
    [InlineData(" a leading space and two  inside ")]
    public void Decode_EncodedText_RoundTrips(string text)
    {
        var tokenizer = Load(ModelProto());

        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text), skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_ByteTokensOneAtATime_NeverReleasesHalfACharacter()
    {
        var tokenizer = Load(ModelProto());
        const string Text = "你好 🎉 hello";
        var ids = tokenizer.Encode(Text);

        var pieces = Streamed.Pieces(tokenizer, ids, promptLength: 1);

        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.Equal(Text, string.Concat(pieces));
        // ▁ 你 then 好's three bytes: nothing until the third.
        Assert.Equal(["", "你", "", "", "好"], pieces.Take(5));
    }

    [Fact]
    public void Load_ControlAndUserDefinedPieces_AreAddedTokens()
    {
        var tokenizer = Load(ModelProto(userDefined: ["<|user|>"]));
        var user = tokenizer.TokenId("<|user|>")!.Value;

        // Control pieces are special, user-defined ones are matched whole but are text.
        Assert.Equal([1, T("▁hel"), T("lo"), user, T("▁world"), 2], tokenizer.Encode("hello<|user|>world</s>"));
        Assert.True(tokenizer.IsSpecial(1));
        Assert.False(tokenizer.IsSpecial(user));
        Assert.Equal("hello<|user|> world", tokenizer.Decode(tokenizer.Encode("hello<|user|>world</s>"), skipSpecialTokens: true));
    }

    [Fact]
    public void Load_TokenizerConfig_LegacyFalseAndAddBosFalse()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """
            {
              "add_bos_token": false, "legacy": false, "bos_token": "<s>", "eos_token": "</s>",
              "added_tokens_decoder": { "2": { "content": "</s>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true } }
            }
            """);

        var tokenizer = Load(ModelProto());

        // Not legacy: only the text's start gets a ▁, so "world" after </s> is w or l d.
        Assert.Equal([T("▁hel"), T("lo"), 2, T("w"), T("or"), T("l"), T("d")], tokenizer.Encode("hello</s>world"));
        Assert.False(tokenizer.AddBosToken);
    }

    [Fact]
    public void Load_NoDummyPrefix_NoLeadingMetaspaceAndNothingStripped()
    {
        var tokenizer = Load(ModelProto(addDummyPrefix: false));

        Assert.Equal([T("h"), T("el"), T("lo"), T("▁world")], tokenizer.Encode("hello world", addBosToken: false));
        Assert.Equal(" hello", tokenizer.Decode([T("▁hel"), T("lo")], skipSpecialTokens: true));
    }

    [Fact]
    public void Load_WordModel_FailsNamingTheType()
    {
        // Unigram models load (GenerationTokenizerUnigramTests); word and character models do not.
        var error = Assert.Throws<ModelLoadException>(() => Load(ModelProto(modelType: 3)));

        Assert.Contains("model_type Word is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoTrainerSpec_Fails()
    {
        var error = Assert.Throws<ModelLoadException>(() => Load(ModelProto(trainerSpec: false)));

        Assert.Contains("no trainer_spec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotProtobuf_FailsAsModelLoad()
    {
        var error = Assert.Throws<ModelLoadException>(() => Load([0xFF, 0xFF, 0xFF, 0xFF]));

        Assert.Contains("is not a SentencePiece model", error.Message, StringComparison.Ordinal);
    }

    private GenerationTokenizer Load(byte[] model)
    {
        File.WriteAllBytes(Path.Combine(_folder, GenerationTokenizerLoader.TokenizerModel), model);
        return GenerationTokenizerLoader.Load(_folder, null);
    }

    private GenerationTokenizer LoadJson(string json)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "json")).FullName;
        File.WriteAllText(Path.Combine(folder, GenerationTokenizerLoader.TokenizerJson), json);
        return GenerationTokenizerLoader.Load(folder, null);
    }
}
