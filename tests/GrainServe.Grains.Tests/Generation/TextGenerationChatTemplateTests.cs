using GrainServe.Errors;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Generation;

/// <summary>
/// How a text generation model gets its chat template (a named one wins, else the model's own Jinja template) and how
/// an instance answers a chat its template rejects: an InvalidInput (400) carrying the template's own message.
/// </summary>
public sealed class TextGenerationChatTemplateTests : IDisposable
{
    // Mistral v0.1's role check, shortened.
    private const string Alternating = """
        { "eos_token": "<|endoftext|>", "chat_template": "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}<|{{ message.role }}|>{{ message.content }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}" }
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "grainserve-chat-template-tests", Guid.NewGuid().ToString("N"));

    public TextGenerationChatTemplateTests()
    {
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ChatTemplateOf_NoSetting_TheModelsOwnWhenItHasOne()
    {
        Assert.Null(TextGenerationProvider.ChatTemplateOf("m", null, _folder, TimeProvider.System));

        WriteConfig(Alternating);

        Assert.IsType<JinjaChatTemplate>(TextGenerationProvider.ChatTemplateOf("m", null, _folder, TimeProvider.System));
        Assert.IsType<JinjaChatTemplate>(TextGenerationProvider.ChatTemplateOf("m", "Tokenizer_Config", _folder, TimeProvider.System));
    }

    [Fact]
    public void ChatTemplateOf_NamedSetting_WinsOverTheModelsOwn()
    {
        WriteConfig(Alternating);

        Assert.Equal(ChatTemplates.Zephyr, TextGenerationProvider.ChatTemplateOf("m", ChatTemplates.Zephyr, _folder, TimeProvider.System)!.Name);

        // The named template is all that is read: a model whose own template does not parse still loads with one.
        WriteConfig("""{ "chat_template": "{% if %}" }""");

        Assert.Equal(ChatTemplates.ChatML, TextGenerationProvider.ChatTemplateOf("m", ChatTemplates.ChatML, _folder, TimeProvider.System)!.Name);
        var error = Assert.Throws<ModelLoadException>(() => TextGenerationProvider.ChatTemplateOf("m", null, _folder, TimeProvider.System));
        Assert.StartsWith("model 'm': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("the chat template does not parse: line 1: Expected an expression, got 'end of statement block'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChatTemplateOf_TokenizerConfigSettingWithoutOne_FailsTheLoadSayingWhatIsMissing()
    {
        WriteConfig("""{ "eos_token": "</s>" }""");

        var error = Assert.Throws<ModelLoadException>(() => TextGenerationProvider.ChatTemplateOf("m", ChatTemplates.TokenizerConfig, _folder, TimeProvider.System));

        Assert.Contains("model 'm': parameter chat_template is 'tokenizer_config' but", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no chat_template.jinja and no chat_template in tokenizer_config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_TemplateRaises_InvalidInputWithTheTemplatesMessage()
    {
        WriteConfig(Alternating);
        await using var instance = Instance(out _);

        var chunks = await Collect(instance.Generate(new GenerateRequest { Messages = [new("assistant", "a"), new("user", "b")] }, CancellationToken.None));

        var chunk = Assert.Single(chunks);
        Assert.Equal(InferenceErrorCode.InvalidInput, chunk.Error?.Code);
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", chunk.Error?.Message);
    }

    [Fact]
    public async Task Generate_ModelsOwnTemplate_PromptIsTheRenderedTextWithNoBosAdded()
    {
        WriteConfig(Alternating);
        await using var instance = Instance(out var model);

        var chunks = await Collect(instance.Generate(new GenerateRequest { Messages = [new("user", "Hi"), new("assistant", "Yo"), new("user", "Bye")], MaxTokens = 1 }, CancellationToken.None));

        Assert.All(chunks, c => Assert.Null(c.Error));
        Assert.Equal(Gpt2Tiktoken.Load().Encode("<|user|>Hi<|assistant|>Yo<|user|>Bye<|assistant|>", addBosToken: false), model.Prompt);
        Assert.Equal(model.Prompt!.Length, chunks[^1].PromptTokens);
    }

    private static async Task<List<GenerateChunk>> Collect(IAsyncEnumerable<GenerateChunk> stream)
    {
        var chunks = new List<GenerateChunk>();
        await foreach (var chunk in stream)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    private TextGenerationInstance Instance(out RecordingStepModel model)
    {
        var time = new FakeTimeProvider();
        var template = TextGenerationProvider.ChatTemplateOf("chatty", null, _folder, time);
        model = new RecordingStepModel();
        var tokenizer = Gpt2Tiktoken.Load();
        return new TextGenerationInstance(new ModelConfig { Name = "chatty" }, "1", model, tokenizer, template, null, new EngineOptions { KvCacheBytes = 1 << 20 }, TimeProvider.System);
    }

    private void WriteConfig(string json) => File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TokenizerConfigFile), json);

    // Records the prompt of the first step and always answers GPT-2's end of text, so every generation ends at once.
    private sealed class RecordingStepModel : IStepModel
    {
        private const int EndOfText = 50256;

        public int[]? Prompt { get; private set; }

        public int VocabularySize => EndOfText + 1;

        public int MaxContextLength => 1024;

        public long KvBytesPerToken => 1;

        public StepLogits Run(IReadOnlyList<StepEntry> entries)
        {
            Prompt ??= entries[0].Tokens.ToArray();
            var rows = entries.Count(e => e.NeedsLogits);
            var logits = new float[rows * VocabularySize];
            for (var row = 0; row < rows; row++)
            {
                logits[(row * VocabularySize) + EndOfText] = 10;
            }

            return new StepLogits(logits, rows, VocabularySize);
        }

        public void Release(long sequenceId)
        {
        }

        public void Dispose()
        {
        }
    }
}
