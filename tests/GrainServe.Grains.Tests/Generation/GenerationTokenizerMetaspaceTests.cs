using GrainServe.Runtime;
using GrainServe.TestSupport;
using static GrainServe.Generation.LlamaStyleTokenizer;

namespace GrainServe.Generation;

/// <summary>
/// Hugging Face tokenizer.json files in Llama 2's layout (<see cref="LlamaStyleTokenizer"/>). Each expectation follows
/// from the BPE rules by hand; the same files were run through Hugging Face tokenizers 0.23 while this was written and
/// gave the same ids and text.
/// </summary>
public sealed class GenerationTokenizerMetaspaceTests : IDisposable
{
    private const string Mixed = "Héllo wörld, naïve café — 你好，世界！ 🎉👍🏽\nhello  world";

    private readonly string _folder = Directory.CreateTempSubdirectory("grainserve-metaspace-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Encode_HelloWorld_MergesLowestRankFirst()
    {
        var tokenizer = Load(TokenizerJson());

        // The normalizer makes "▁hello▁world", one word: ▁ h e l l o ▁ w o r l d. Rank 0 "e l" → el; rank 1 "l o"
        // takes the second l and the o → lo; rank 2 "l l" no longer has two l's side by side; rank 3 "▁ h" → ▁h;
        // rank 4 "▁ w" → ▁w; rank 5 "o r" → or; rank 6 "▁h el" → ▁hel (▁hel lo: "▁hel lo" is no merge); ranks 7–9 build
        // ▁wor, ▁worl, ▁world. The post-processor puts <s> (1) first.
        Assert.Equal([1, T("▁hel"), T("lo"), T("▁world")], tokenizer.Encode("hello world"));
        Assert.Equal([1, 275, 270, 278], tokenizer.Encode("hello world"));
        Assert.True(tokenizer.AddBosToken);
    }

    [Fact]
    public void Encode_MergeOrderChanged_ChangesTheIds()
    {
        var swapped = Merges.Where(m => m != ("l", "l")).Prepend(("l", "l")).ToList();
        var tokenizer = Load(TokenizerJson(merges: swapped));

        // With "l l" first: ▁ h e ll o; "e l" has no l beside the e any more and "l o" no l before the o, so "ll o"
        // → llo, then "▁ h" → ▁h; "▁h e" is no merge, so the e stays alone.
        Assert.Equal([T("▁h"), T("e"), T("llo"), T("▁world")], tokenizer.Encode("hello world", addBosToken: false));
    }

    [Fact]
    public void Encode_TieBetweenEqualMerges_TakesTheLeftmost()
    {
        var tokenizer = Load(TokenizerJson());

        // ▁ e l l l l: "e l" → el, then "l l" twice at the same rank over l l l: the left pair merges, the last l stays.
        Assert.Equal([T("▁"), T("el"), T("ll"), T("l")], tokenizer.Encode("ellll", addBosToken: false));
    }

    [Fact]
    public void Encode_CharactersOutsideTheVocabulary_AreTheirUtf8Bytes()
    {
        var tokenizer = Load(TokenizerJson());

        // 你 is a token, 好 (E5 A5 BD) is not; 🎉 is F0 9F 8E 89; x is 78; a newline is 0A and, having no ▁ before it,
        // "world" is w or l d ("▁w" needs the ▁).
        Assert.Equal([T("▁"), T("你"), B(0xE5), B(0xA5), B(0xBD)], tokenizer.Encode("你好", addBosToken: false));
        Assert.Equal([T("▁"), B(0xF0), B(0x9F), B(0x8E), B(0x89)], tokenizer.Encode("🎉", addBosToken: false));
        Assert.Equal([T("▁"), B(0x78)], tokenizer.Encode("x", addBosToken: false));
        Assert.Equal([T("▁hel"), T("lo"), B(0x0A), T("w"), T("or"), T("l"), T("d")], tokenizer.Encode("hello\nworld", addBosToken: false));
        // é is a token: ▁ h é l l o, where "l o" (rank 1) leaves l lo and "l lo" (rank 11) makes llo.
        Assert.Equal([T("▁h"), T("é"), T("llo")], tokenizer.Encode("héllo", addBosToken: false));
    }

    [Fact]
    public void Encode_NoByteFallback_FusesUnknownCharactersIntoOneUnk()
    {
        var tokenizer = Load(TokenizerJson(byteFallback: false));

        // a and 🎉 are both unknown, side by side: one <unk> (fuse_unk), which decodes as nothing when skipped.
        Assert.Equal([T("▁"), 0, T("▁hel"), T("lo")], tokenizer.Encode("a🎉 hello", addBosToken: false));
        Assert.Equal(" hello", tokenizer.Decode(tokenizer.Encode("a🎉 hello"), skipSpecialTokens: true));
    }

    [Fact]
    public void Encode_LegacyNormalizer_PrefixesEveryRunBetweenAddedTokens()
    {
        var tokenizer = Load(TokenizerJson());

        // Prepend runs on each piece of text between added tokens, so "world" after </s> is ▁world; a leading space
        // gives two ▁ (▁ ▁hel lo), and two spaces between words leave a lone ▁.
        Assert.Equal([T("▁hel"), T("lo"), 2, T("▁world")], tokenizer.Encode("hello</s>world", addBosToken: false));
        Assert.Equal([T("▁"), T("▁hel"), T("lo")], tokenizer.Encode(" hello", addBosToken: false));
        Assert.Equal([T("▁hel"), T("lo"), T("▁"), T("▁world")], tokenizer.Encode("hello  world", addBosToken: false));
    }

    [Fact]
    public void Encode_MetaspacePrependFirst_PrefixesOnlyTheTextsStart()
    {
        var tokenizer = Load(TokenizerJson(normalizer: "null", preTokenizer: MetaspaceStep("first", split: false)));

        // "first" prefixes text that starts the input and only when it does not start with ▁ already.
        Assert.Equal([T("▁hel"), T("lo"), 2, T("w"), T("or"), T("l"), T("d")], tokenizer.Encode("hello</s>world", addBosToken: false));
        Assert.Equal([1, T("h"), T("el"), T("lo")], tokenizer.Encode("<s>hello", addBosToken: false));
        Assert.Equal([T("▁hel"), T("lo")], tokenizer.Encode(" hello", addBosToken: false));
    }

    [Fact]
    public void Encode_MetaspacePrependNever_NoPrefix()
    {
        var tokenizer = Load(TokenizerJson(normalizer: "null", preTokenizer: MetaspaceStep("never", split: false),
            decoder: """{ "type": "Sequence", "decoders": [ { "type": "Replace", "pattern": { "String": "▁" }, "content": " " }, { "type": "ByteFallback" }, { "type": "Fuse" } ] }"""));

        Assert.Equal([T("h"), T("el"), T("lo"), T("▁world")], tokenizer.Encode("hello world", addBosToken: false));
        // Without Strip the decoder keeps a leading space.
        Assert.Equal(" hello", tokenizer.Decode([T("▁hel"), T("lo")], skipSpecialTokens: true));
    }

    [Fact]
    public void Encode_MetaspaceSplit_NoMergeCrossesAWordStart()
    {
        // A merge "d ▁" that only a text kept whole can use.
        var merges = Merges.Prepend(("d", Metaspace)).ToList();
        var split = Load(TokenizerJson(normalizer: "null", preTokenizer: MetaspaceStep("always", split: true), merges: merges));
        var whole = Load(TokenizerJson(normalizer: "null", preTokenizer: MetaspaceStep("always", split: false), merges: merges), "whole");

        // The extra merge comes first in the vocabulary too, so ids are this vocabulary's.
        var ids = Vocabulary(merges);

        // Split: "▁world" and "▁hello" are separate words.
        Assert.Equal([ids["▁world"], ids["▁hel"], ids["lo"]], split.Encode("world hello", addBosToken: false));
        // Whole: "d ▁" (rank 0) takes the d and the second ▁ first, so ▁worl stops before d▁, and h has no ▁ left.
        Assert.Equal([ids["▁worl"], ids["d" + Metaspace], ids["h"], ids["el"], ids["lo"]], whole.Encode("world hello", addBosToken: false));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("Héllo wörld, naïve café")]
    [InlineData("你好，世界！")]
    [InlineData("🎉👍🏽 emoji")]
    [InlineData(Mixed)]
    [InlineData("two spaces  inside,\ta tab and a trailing space ")]
    public void Decode_EncodedText_RoundTrips(string text)
    {
        foreach (var layout in new[] { TokenizerJson(), TokenizerJson(normalizer: "null", preTokenizer: MetaspaceStep("first", split: false)) })
        {
            var tokenizer = Load(layout, Guid.NewGuid().ToString("N"));
            var ids = tokenizer.Encode(text);

            Assert.Equal(1, ids[0]);
            Assert.Equal(text, tokenizer.Decode(ids, skipSpecialTokens: true));
        }
    }

    [Fact]
    public void Decode_SpecialTokensAndTheStrippedSpace_AsHuggingFace()
    {
        var tokenizer = Load(TokenizerJson());
        int[] ids = [1, T("▁hel"), T("lo"), 2];

        // Strip takes one leading space off the fused text: gone after a skipped <s>, kept after a shown one.
        Assert.Equal("hello", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<s> hello</s>", tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal(" hello", tokenizer.Decode([T("▁"), T("▁hel"), T("lo")], skipSpecialTokens: true));
        Assert.True(tokenizer.IsSpecial(2));
        Assert.False(tokenizer.IsSpecial(T("lo")));
    }

    [Fact]
    public void Decode_ByteTokensOneAtATime_NeverReleasesHalfACharacter()
    {
        var tokenizer = Load(TokenizerJson());
        const string Text = "hello 🎉 world 你好 é";
        var ids = tokenizer.Encode(Text);
        Assert.Contains(B(0xF0), ids);

        // The prompt is the BOS; every other token comes out one at a time, as the engine streams them.
        var pieces = Streamed.Pieces(tokenizer, ids, promptLength: 1);

        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.Equal(Text, string.Concat(pieces));
        // 🎉's four byte tokens: nothing for the first three, the whole emoji with the fourth.
        var first = Array.IndexOf(ids, B(0xF0)) - 1;
        Assert.Equal(["", "", "", "🎉"], pieces.Skip(first).Take(4));
    }

    [Fact]
    public void Decode_MetaspaceDecoder_DropsTheFirstTokensMetaspaceAndKeepsByteTokensAsText()
    {
        var tokenizer = Load(TokenizerJson(normalizer: "null", preTokenizer: MetaspaceStep("first", split: false), decoder: MetaspaceStep("first", split: false)));

        // Hugging Face's Metaspace decoder has no byte fallback: <0xNN> tokens are their own text. Every ▁ of the first
        // token goes; later ones are spaces.
        Assert.Equal("hello world", tokenizer.Decode(tokenizer.Encode("hello world"), skipSpecialTokens: true));
        Assert.Equal("<0xF0><0x9F><0x8E><0x89>", tokenizer.Decode(tokenizer.Encode("🎉"), skipSpecialTokens: true));
        Assert.Equal(" hel", tokenizer.Decode([T("▁"), T("▁hel")], skipSpecialTokens: true));
        Assert.Equal("<s>  hel", tokenizer.Decode([1, T("▁"), T("▁hel")], skipSpecialTokens: false));
    }

    [Fact]
    public void Load_TokenizerConfig_GivesBosEosAndAddBos()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """
            { "add_bos_token": false, "bos_token": { "__type": "AddedToken", "content": "<s>" }, "eos_token": "</s>", "unk_token": "<unk>" }
            """);
        File.WriteAllText(Path.Combine(_folder, "generation_config.json"), """{ "eos_token_id": [2, 7] }""");

        var tokenizer = Load(TokenizerJson());

        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.False(tokenizer.AddBosToken);
        Assert.Equal([2, 7], tokenizer.EosTokenIds);
        Assert.Equal([T("▁hel"), T("lo")], tokenizer.Encode("hello"));
        Assert.Contains("Metaspace BPE, byte fallback", tokenizer.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoConfig_BosFromThePostProcessorAndEosByConvention()
    {
        var tokenizer = Load(TokenizerJson());

        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal([2], tokenizer.EosTokenIds);
        Assert.Equal(2, tokenizer.TokenId("</s>"));
        // A vocabulary entry by its text, spaces written as ▁ (Hugging Face's convert_tokens_to_ids).
        Assert.Equal(T("▁world"), tokenizer.TokenId(" world"));
        Assert.Null(tokenizer.TokenId("hello"));
        Assert.Equal(Vocabulary(Merges).Count, tokenizer.VocabularySize);
    }

    [Fact]
    public void Load_SpecialTokensMap_NamesTheEosWhenTokenizerConfigDoesNot()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """{ "add_bos_token": true }""");
        File.WriteAllText(Path.Combine(_folder, "special_tokens_map.json"), """{ "bos_token": "<s>", "eos_token": "<unk>" }""");

        var tokenizer = Load(TokenizerJson());

        Assert.Equal([0], tokenizer.EosTokenIds);
        Assert.Equal(1, tokenizer.BosTokenId);
    }

    [Theory]
    [InlineData("""{ "type": "ByteLevel" }""", "decoder 'ByteLevel'")]
    [InlineData("""{ "type": "Sequence", "decoders": [ { "type": "Replace", "pattern": { "String": "▁" }, "content": " " }, { "type": "Strip", "content": " ", "start": 1, "stop": 0 }, { "type": "Fuse" } ] }""", "decoder step 'Strip'")]
    [InlineData("""{ "type": "Sequence", "decoders": [ { "type": "ByteFallback" }, { "type": "Fuse" } ] }""", "does not turn ▁ back into spaces")]
    public void Load_UnsupportedDecoder_FailsNamingIt(string decoder, string expected)
    {
        var error = Assert.Throws<ModelLoadException>(() => Load(TokenizerJson(decoder: decoder)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsupportedNormalizerStep_FailsNamingIt()
    {
        var normalizer = """{ "type": "Sequence", "normalizers": [ { "type": "Lowercase" }, { "type": "Replace", "pattern": { "String": " " }, "content": "▁" } ] }""";

        var error = Assert.Throws<ModelLoadException>(() => Load(TokenizerJson(normalizer: normalizer)));

        Assert.Contains("normalizer step 'Lowercase'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MetaspaceWithAnotherReplacement_Fails()
    {
        var pre = """{ "type": "Metaspace", "replacement": "_", "prepend_scheme": "always", "split": true }""";

        var error = Assert.Throws<ModelLoadException>(() => Load(TokenizerJson(normalizer: "null", preTokenizer: pre)));

        Assert.Contains("replacement '_'", error.Message, StringComparison.Ordinal);
    }

    private GenerationTokenizer Load(string json, string? subfolder = null)
    {
        var folder = subfolder is null ? _folder : Directory.CreateDirectory(Path.Combine(_folder, subfolder)).FullName;
        File.WriteAllText(Path.Combine(folder, GenerationTokenizerLoader.TokenizerJson), json);
        return GenerationTokenizerLoader.Load(folder, null);
    }
}
