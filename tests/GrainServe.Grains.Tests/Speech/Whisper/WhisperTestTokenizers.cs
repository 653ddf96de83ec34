using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// The Whisper tokenizers the tests share, each loaded once: from openai/whisper's assets (<c>whisper</c>) and from a
/// Hugging Face export (<c>whisper-genai-test</c>). Null, with a console message, where the shared data is absent.
/// </summary>
internal static class WhisperTestTokenizers
{
    public const int EnglishOnly = 51864;
    public const int Multilingual = 51865;
    public const int LargeV3 = 51866;

    private static readonly Lazy<WhisperTokenizer?> MultilingualTiktokenLazy = new(() => Load("whisper", Multilingual));
    private static readonly Lazy<WhisperTokenizer?> Gpt2TiktokenLazy = new(() => Load("whisper", EnglishOnly));
    private static readonly Lazy<WhisperTokenizer?> TokenizerJsonLazy = new(() => Load("whisper-genai-test", Multilingual));

    /// <summary>The multilingual tokenizer from multilingual.tiktoken.</summary>
    public static WhisperTokenizer? MultilingualTiktoken(string test) => Get(MultilingualTiktokenLazy, "whisper", test);

    /// <summary>The English-only tokenizer from gpt2.tiktoken.</summary>
    public static WhisperTokenizer? Gpt2Tiktoken(string test) => Get(Gpt2TiktokenLazy, "whisper", test);

    /// <summary>The multilingual tokenizer from a Hugging Face tokenizer.json and added_tokens.json.</summary>
    public static WhisperTokenizer? TokenizerJson(string test) => Get(TokenizerJsonLazy, "whisper-genai-test", test);

    private static WhisperTokenizer? Get(Lazy<WhisperTokenizer?> tokenizer, string folder, string test) =>
        tokenizer.Value ?? (SharedData.Folder(folder, test) is null ? null : tokenizer.Value);

    private static WhisperTokenizer? Load(string folder, int vocabularySize) =>
        SharedData.Folder(folder) is { } path ? WhisperTokenizer.Load(path, vocabularySize) : null;
}
