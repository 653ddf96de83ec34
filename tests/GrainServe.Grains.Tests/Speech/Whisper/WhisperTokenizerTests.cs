using System.Text.Json;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

public sealed class WhisperTokenizerTests
{
    // English, German with umlauts and ß, Japanese, emoji with a skin-tone modifier, leading spaces, newlines.
    public static readonly TheoryData<string> Sentences = new()
    {
        " Hello world",
        "Hello world",
        "Grüße aus München, schöne Äpfel!",
        "こんにちは、世界。今日はいい天気ですね。",
        "Party time 🎉👍🏽!",
        "   leading spaces",
        "It's 3:45pm — we'll see.\n\nNew paragraph\ttab",
        "♪♪♪ (music) [DAVID] Hey there,",
    };

    [Fact]
    public void Load_MultilingualTiktoken_SpecialIdsAsWhisper()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(Load_MultilingualTiktoken_SpecialIdsAsWhisper)) is not { } tokenizer)
        {
            return;
        }

        var s = tokenizer.SpecialTokens;
        Assert.True(tokenizer.IsMultilingual);
        Assert.Equal(
            [50257, 50258, 50259, 50358, 50359, 50360, 50361, 50362, 50363, 50364],
            [s.EndOfText, s.StartOfTranscript, s.LanguageToken("en")!.Value, s.Translate, s.Transcribe, s.StartOfLm, s.StartOfPrevious, s.NoSpeech, s.NoTimestamps, s.TimestampBegin]);
        Assert.Equal("<|30.00|>", s.Text(51864));
        Assert.Equal(51865, tokenizer.VocabularySize);
        Assert.Null(s.LanguageToken("yue"));
    }

    [Fact]
    public void Load_LargeV3Size_HundredLanguagesShiftTheRest()
    {
        var folder = SharedData.Folder("whisper", nameof(Load_LargeV3Size_HundredLanguagesShiftTheRest));
        if (folder is null)
        {
            return;
        }

        var s = WhisperTokenizer.Load(folder, WhisperTestTokenizers.LargeV3).SpecialTokens;

        Assert.Equal(50358, s.LanguageToken("yue"));
        Assert.Equal([50359, 50360, 50361, 50362, 50363, 50364, 50365], [s.Translate, s.Transcribe, s.StartOfLm, s.StartOfPrevious, s.NoSpeech, s.NoTimestamps, s.TimestampBegin]);
    }

    [Fact]
    public void Load_Gpt2Tiktoken_EnglishOnlyLayout()
    {
        if (WhisperTestTokenizers.Gpt2Tiktoken(nameof(Load_Gpt2Tiktoken_EnglishOnlyLayout)) is not { } tokenizer)
        {
            return;
        }

        var s = tokenizer.SpecialTokens;
        Assert.False(tokenizer.IsMultilingual);
        Assert.Equal([50256, 50257, 50258, 50357, 50358, 50361, 50362, 50363], [s.EndOfText, s.StartOfTranscript, s.FirstLanguage, s.Translate, s.Transcribe, s.NoSpeech, s.NoTimestamps, s.TimestampBegin]);
        Assert.Equal(99, s.LanguageCodes.Count);
    }

    [Fact]
    public void SpecialTokens_EveryAddedTokensJsonEntry_SameIdInBothLoads()
    {
        var folder = SharedData.Folder("whisper-genai-test", nameof(SpecialTokens_EveryAddedTokensJsonEntry_SameIdInBothLoads));
        if (folder is null || WhisperTestTokenizers.MultilingualTiktoken(nameof(SpecialTokens_EveryAddedTokensJsonEntry_SameIdInBothLoads)) is not { } tiktoken)
        {
            return;
        }

        var added = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(folder, "added_tokens.json")))!;
        var fromJson = WhisperTestTokenizers.TokenizerJson(nameof(SpecialTokens_EveryAddedTokensJsonEntry_SameIdInBothLoads))!;

        Assert.Equal(51864 - 50258 + 1, added.Count);
        foreach (var (text, id) in added)
        {
            var expected = text == WhisperSpecialTokens.NoCaptionsText ? "<|nospeech|>" : text;
            Assert.Equal(expected, tiktoken.SpecialTokens.Text(id));
            Assert.Equal(expected, fromJson.SpecialTokens.Text(id));
        }
    }

    [Fact]
    public void SpecialTokens_TokenizerJsonAddedTokens_MatchLayout()
    {
        var folder = SharedData.Folder("whisper-genai-test", nameof(SpecialTokens_TokenizerJsonAddedTokens_MatchLayout));
        if (folder is null || WhisperTestTokenizers.TokenizerJson(nameof(SpecialTokens_TokenizerJsonAddedTokens_MatchLayout)) is not { } tokenizer)
        {
            return;
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "tokenizer.json")));
        var count = 0;
        foreach (var token in json.RootElement.GetProperty("added_tokens").EnumerateArray())
        {
            var text = token.GetProperty("content").GetString()!;
            Assert.Equal(text == WhisperSpecialTokens.NoCaptionsText ? "<|nospeech|>" : text, tokenizer.SpecialTokens.Text(token.GetProperty("id").GetInt32()));
            count++;
        }

        Assert.Equal(51865 - 50257, count);
    }

    [Theory]
    [MemberData(nameof(Sentences))]
    public void Encode_Sentence_TiktokenAndTokenizerJsonAgree(string text)
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(Encode_Sentence_TiktokenAndTokenizerJsonAgree)) is not { } tiktoken
            || WhisperTestTokenizers.TokenizerJson(nameof(Encode_Sentence_TiktokenAndTokenizerJsonAgree)) is not { } fromJson)
        {
            return;
        }

        var ids = tiktoken.Encode(text);

        Assert.Equal(ids, fromJson.Encode(text));
        Assert.Equal(text, tiktoken.Decode(ids, skipSpecialTokens: true));
        Assert.Equal(text, fromJson.Decode(ids, skipSpecialTokens: true));
    }

    // Expected ids: a rank-merge BPE (tiktoken's educational algorithm) in Python over the same .tiktoken ranks with
    // Whisper's pat_str, and for GPT-2 the well-known " Hello world" = [18435, 995].
    [Theory]
    [InlineData(" Hello world", new[] { 2425, 1002 })]
    [InlineData("Grüße aus München, schöne Äpfel!", new[] { 20038, 774, 11451, 3437, 35840, 2470, 11, 41152, 13700, 25302, 338, 0 })]
    [InlineData("こんにちは、世界。今日はいい天気ですね。", new[] { 38088, 1231, 24486, 1543, 26259, 11050, 1764, 6135, 25870, 14277, 1543 })]
    [InlineData("Party time 🎉👍🏽!", new[] { 37012, 88, 565, 19034, 231, 31017, 235, 4222, 237, 121, 0 })]
    [InlineData("   leading spaces", new[] { 220, 220, 5775, 7673 })]
    public void Encode_Multilingual_KnownIds(string text, int[] expected)
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(Encode_Multilingual_KnownIds)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal(expected, tokenizer.Encode(text));
    }

    [Theory]
    [InlineData(" Hello world", new[] { 18435, 995 })]
    [InlineData("Hello world", new[] { 15496, 995 })]
    [InlineData("Party time 🎉👍🏽!", new[] { 33553, 640, 12520, 236, 231, 41840, 235, 8582, 237, 121, 0 })]
    [InlineData("   leading spaces", new[] { 220, 220, 3756, 9029 })]
    public void Encode_Gpt2_KnownIds(string text, int[] expected)
    {
        if (WhisperTestTokenizers.Gpt2Tiktoken(nameof(Encode_Gpt2_KnownIds)) is not { } tokenizer)
        {
            return;
        }

        Assert.Equal(expected, tokenizer.Encode(text));
    }

    [Fact]
    public void Load_EnglishOnlyEmptyFolder_Gpt2RanksAgreeWithGpt2Tiktoken()
    {
        if (WhisperTestTokenizers.Gpt2Tiktoken(nameof(Load_EnglishOnlyEmptyFolder_Gpt2RanksAgreeWithGpt2Tiktoken)) is not { } fromFile)
        {
            return;
        }

        var empty = Directory.CreateTempSubdirectory("whisper-empty-");
        try
        {
            var packaged = WhisperTokenizer.Load(empty.FullName, WhisperTestTokenizers.EnglishOnly);

            Assert.Equal(fromFile.SpecialTokens.TimestampBegin, packaged.SpecialTokens.TimestampBegin);
            foreach (var text in Sentences)
            {
                Assert.Equal(fromFile.Encode(text), packaged.Encode(text));
            }

            Assert.Equal(fromFile.NonSpeechTokens, packaged.NonSpeechTokens);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void Encode_SpecialTokenText_IsOrdinaryText()
    {
        if (WhisperTestTokenizers.MultilingualTiktoken(nameof(Encode_SpecialTokenText_IsOrdinaryText)) is not { } tokenizer)
        {
            return;
        }

        var ids = tokenizer.Encode("<|endoftext|>");

        Assert.DoesNotContain(ids, id => tokenizer.IsSpecial(id));
        Assert.Equal("<|endoftext|>", tokenizer.Decode(ids, skipSpecialTokens: true));
    }
}
