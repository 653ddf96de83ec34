using System.Text;
using GrainServe.TestSupport;

namespace GrainServe.Generation;

public sealed class GenerationTokenizerTests
{
    private const string Mixed = "Héllo wörld, naïve café — 你好，世界！ 🎉👍🏽 Ελληνικά, русский, עברית. It's 2024.\nNew line";

    private static GenerationTokenizer? Gpt2()
    {
        var folder = SharedData.Folder("tiny-random-gpt2");
        return folder is null ? null : GenerationTokenizerLoader.Load(folder, null);
    }

    [Fact]
    public void Encode_HelloWorld_IsGpt2Ids()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        Assert.Equal([15496, 995], tokenizer.Encode("Hello world"));
    }

    [Fact]
    public void Decode_EmojiCjkAndAccents_RoundTrips()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        var ids = tokenizer.Encode(Mixed);

        Assert.Equal(Mixed, tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_CharacterSplitAcrossTokens_EndsInReplacementUntilComplete()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        // GPT-2 has no token for 🎉 (4 UTF-8 bytes): it is several byte tokens.
        var ids = tokenizer.Encode("🎉");
        Assert.True(ids.Length > 1, $"expected 🎉 to need several tokens, got [{string.Join(", ", ids)}]");

        for (var k = 1; k < ids.Length; k++)
        {
            Assert.EndsWith("\uFFFD", tokenizer.Decode(ids.AsSpan(0, k), skipSpecialTokens: false), StringComparison.Ordinal);
        }

        Assert.Equal("🎉", tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void Decode_TwoRuns_IsTheUtf8OfTheirConcatenatedBytes()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        var ids = tokenizer.Encode(Mixed);
        for (var split = 0; split <= ids.Length; split++)
        {
            var left = tokenizer.Decode(ids.AsSpan(0, split), false);
            var right = tokenizer.Decode(ids.AsSpan(split), false);
            if (!left.Contains('\uFFFD') && !right.Contains('\uFFFD'))
            {
                Assert.Equal(Mixed, left + right);
            }
        }

        // The bytes of each token on its own, concatenated, are the text's UTF-8; a pair decodes as its bytes do.
        Assert.Equal(Encoding.UTF8.GetBytes(Mixed), ids.SelectMany(id => tokenizer.TokenBytes(id).ToArray()).ToArray());
        for (var i = 0; i + 1 < ids.Length; i++)
        {
            var pair = tokenizer.TokenBytes(ids[i]).ToArray().Concat(tokenizer.TokenBytes(ids[i + 1]).ToArray()).ToArray();
            Assert.Equal(Encoding.UTF8.GetString(pair), tokenizer.Decode(ids.AsSpan(i, 2), false));
        }
    }

    [Fact]
    public void Load_TokenizerConfig_GivesEosAndBos()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        Assert.Equal([50256], tokenizer.EosTokenIds);
        Assert.Equal(50256, tokenizer.BosTokenId);
        Assert.False(tokenizer.AddBosToken);
        Assert.Equal(15496, tokenizer.Encode("Hello")[0]);
        // 50257 vocabulary entries and the 38 whitespace-run tokens CodeGen added.
        Assert.Equal(50295, tokenizer.VocabularySize);
        Assert.Equal(50256, tokenizer.SpecialTokens["<|endoftext|>"]);
    }

    [Fact]
    public void Encode_SpecialTokenInText_IsOneTokenSkippedWhenAsked()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        var ids = tokenizer.Encode("Hello<|endoftext|> world");

        Assert.Equal([15496, 50256, 995], ids);
        Assert.True(tokenizer.IsSpecial(50256));
        Assert.False(tokenizer.IsSpecial(15496));
        Assert.Equal("Hello world", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("Hello<|endoftext|> world", tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal(50256, tokenizer.TokenId("<|endoftext|>"));
        Assert.Null(tokenizer.TokenId("Hello world"));
    }

    [Fact]
    public void Encode_RunOfSpaces_IsTheAddedWhitespaceToken()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        // tokenizer.json's added token 50284 is four spaces (not special), matched whole as Hugging Face does.
        Assert.Equal([4299, 50284, 7783], tokenizer.Encode("def    return"));
        Assert.False(tokenizer.IsSpecial(50284));
        Assert.Equal("def    return", tokenizer.Decode([4299, 50284, 7783], skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_IdOutsideTheVocabulary_IsNothing()
    {
        if (Gpt2() is not { } tokenizer)
        {
            return;
        }

        Assert.Equal("Hello", tokenizer.Decode([15496, 60000, -1], false));
        Assert.False(tokenizer.IsSpecial(60000));
    }

    [Fact]
    public void Load_Whisper_AddedTokensAreSpecialAndSkipped()
    {
        var folder = SharedData.Folder("whisper-genai-test");
        if (folder is null)
        {
            return;
        }

        var tokenizer = GenerationTokenizerLoader.Load(folder, null);

        // Ids as in the file's added_tokens.
        Assert.Equal(50257, tokenizer.TokenId("<|endoftext|>"));
        Assert.Equal(50258, tokenizer.TokenId("<|startoftranscript|>"));
        Assert.Equal(50259, tokenizer.TokenId("<|en|>"));
        Assert.Equal(50363, tokenizer.TokenId("<|notimestamps|>"));
        Assert.Equal(51865, tokenizer.VocabularySize);
        Assert.Equal([50257], tokenizer.EosTokenIds);
        Assert.True(tokenizer.IsSpecial(50258));
        // Timestamps are added tokens Hugging Face does not mark special.
        Assert.False(tokenizer.IsSpecial(50364));

        var ids = tokenizer.Encode("<|startoftranscript|><|en|><|transcribe|><|notimestamps|> Hello world<|endoftext|>");

        Assert.Equal([50258, 50259, 50359, 50363], ids[..4]);
        Assert.Equal(50257, ids[^1]);
        Assert.Equal(" Hello world", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|startoftranscript|><|en|><|transcribe|><|notimestamps|> Hello world<|endoftext|>", tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void Load_Gpt2Tiktoken_MatchesTheTokenizerJson()
    {
        var tiktoken = GenerationTokenizerLoader.Load(Path.GetTempPath(), GenerationTokenizerLoader.Gpt2);
        Assert.Equal(tiktoken.Encode(Mixed), GenerationTokenizerLoader.Load(Path.GetTempPath(), GenerationTokenizerLoader.R50kBase).Encode(Mixed));

        Assert.Equal(50257, tiktoken.VocabularySize);
        Assert.Equal([50256], tiktoken.EosTokenIds);
        Assert.Equal([15496, 995], tiktoken.Encode("Hello world"));
        Assert.True(tiktoken.IsSpecial(50256));
        Assert.Equal(Mixed, tiktoken.Decode(tiktoken.Encode(Mixed), true));

        if (Gpt2() is not { } json)
        {
            return;
        }

        // Single spaces only: this tokenizer.json (CodeGen's) adds tokens for runs of spaces and tabs that GPT-2 lacks.
        foreach (var text in new[] { Mixed, "The quick brown fox jumps over the lazy dog.", "def f(x):\n return x**2 # it's 3.14", "¿Qué tal? Ça va! 日本語のテキスト", "end<|endoftext|>" })
        {
            Assert.Equal(json.Encode(text), tiktoken.Encode(text));
        }

        var ids = json.Encode(Mixed);
        for (var k = 0; k <= ids.Length; k++)
        {
            Assert.Equal(json.Decode(ids.AsSpan(0, k), false), tiktoken.Decode(ids.AsSpan(0, k), false));
        }
    }
}
