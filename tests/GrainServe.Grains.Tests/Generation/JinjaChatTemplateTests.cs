using GrainServe.Runtime;
using GrainServe.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Generation;

/// <summary>
/// Real models' own Jinja templates against the server's named templates. HuggingFaceChatTemplates/ holds, per model,
/// the chat_template and special tokens of its Hugging Face tokenizer_config.json as transformers writes the file:
/// Qwen/Qwen2.5-0.5B-Instruct, teknium/OpenHermes-2.5-Mistral-7B (ChatML), meta-llama/Meta-Llama-3-8B-Instruct and
/// Llama-3.1-8B-Instruct, mistralai/Mistral-7B-Instruct-v0.2 (its template since May 2024) and v0.1 (its first one),
/// HuggingFaceH4/zephyr-7b-beta. Each named template is a hand-written port of one of them, so the two must render the
/// same text for every chat: a difference is a bug in the port or in the interpreter.
/// </summary>
public sealed class JinjaChatTemplateTests : IDisposable
{
    private static readonly ChatMessage SystemMessage = new("system", "You are a helpful assistant.");
    private static readonly ChatMessage User1 = new("user", "Hello!");
    private static readonly ChatMessage Assistant1 = new("assistant", "Hi there. How can I help?");
    private static readonly ChatMessage User2 = new("user", "What is 2 + 2?");

    // ChatTemplatesTests' chats, and a few that reach the templates' corners (padding that Llama 3 trims, an empty
    // message, text with quotes, braces and non-ASCII characters).
    private static readonly ChatMessage[][] Chats =
    [
        [SystemMessage, User1, Assistant1, User2],
        [User1, Assistant1],
        [User1],
        [SystemMessage, User1, Assistant1],
        [new("system", "  You are a helpful assistant.\n"), User1, Assistant1, User2],
        [User1, Assistant1, User2],
        [new("user", "  {{ not a tag }} it's \"quoted\" — é 😀\n"), new("assistant", "")],
    ];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "grainserve-jinja-tests", Guid.NewGuid().ToString("N"));

    public JinjaChatTemplateTests()
    {
        Directory.CreateDirectory(_folder);
    }

    public static TheoryData<string, string, int, bool> SameChats()
    {
        var data = new TheoryData<string, string, int, bool>();
        foreach (var (model, named) in new[]
        {
            ("OpenHermes-2.5-Mistral-7B", ChatTemplates.ChatML),
            ("Qwen2.5-0.5B-Instruct", ChatTemplates.Qwen25),
            ("Meta-Llama-3-8B-Instruct", ChatTemplates.Llama3),
            ("Mistral-7B-Instruct-v0.2", ChatTemplates.Mistral),
            ("zephyr-7b-beta", ChatTemplates.Zephyr),
        })
        {
            for (var chat = 0; chat < Chats.Length; chat++)
            {
                data.Add(model, named, chat, true);
                data.Add(model, named, chat, false);
            }
        }

        return data;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(SameChats))]
    public void Render_RealTemplate_SameTextAsTheNamedTemplate(string model, string named, int chat, bool addGenerationPrompt)
    {
        var own = Load(model);

        var expected = ChatTemplates.Get(named).Render(Chats[chat], addGenerationPrompt);

        Assert.Equal(expected, own.Render(Chats[chat], addGenerationPrompt));
    }

    [Theory]
    [InlineData("user", "user")]
    [InlineData("assistant", "user")]
    [InlineData("system", "assistant")]
    [InlineData("user", "system", "user", "user")]
    [InlineData("system", "user", "system", "user")]
    [InlineData("user", "tool")]
    public void Render_MistralRolesOutOfPlace_SameErrorAsTheNamedTemplate(params string[] roles)
    {
        var chat = roles.Select((role, i) => new ChatMessage(role, $"m{i}")).ToList();

        var named = Assert.Throws<ArgumentException>(() => ChatTemplates.Get(ChatTemplates.Mistral).Render(chat, true));
        var own = Assert.Throws<ArgumentException>(() => Load("Mistral-7B-Instruct-v0.2").Render(chat, true));

        // The template's own words, without the parameter name the named template's exception appends.
        Assert.StartsWith(own.Message, named.Message, StringComparison.Ordinal);
        Assert.True(own.Message is "After the optional system message, conversation roles must alternate user/assistant/user/assistant/..."
            or "Only user and assistant roles are supported, with the exception of an initial optional system message!", own.Message);
    }

    [Fact]
    public void Render_Llama31_SystemHeaderCarriesItsKnowledgeDate()
    {
        var own = Load("Llama-3.1-8B-Instruct");

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            + "You are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
            own.Render([new("system", "  You are a helpful assistant.\n"), User1, Assistant1, User2], addGenerationPrompt: true));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>",
            own.Render([User1], addGenerationPrompt: false));
        Assert.Equal(["<|eot_id|>", "<|eom_id|>"], own.EndOfTurnTokens);
    }

    [Fact]
    public void Render_MistralV01_NoSpaceBeforeInstAndRejectsSystem()
    {
        var own = Load("Mistral-7B-Instruct-v0.1");

        Assert.Equal("<s>[INST] Hello! [/INST]Hi there. How can I help?</s> [INST] What is 2 + 2? [/INST]", own.Render([User1, Assistant1, User2], true));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", Assert.Throws<ArgumentException>(() => own.Render([SystemMessage, User1], true)).Message);
    }

    [Fact]
    public void Load_RealConfigs_SpecialTokensAndTurnMarkersFromTheFile()
    {
        var qwen = Load("Qwen2.5-0.5B-Instruct");
        var zephyr = Load("zephyr-7b-beta");

        Assert.Equal(ChatTemplates.TokenizerConfig, qwen.Name);
        Assert.True(qwen.RendersBos, "transformers encodes a rendered chat without adding special tokens");
        Assert.Equal(["<|im_end|>"], qwen.EndOfTurnTokens);
        Assert.Equal(["</s>"], zephyr.EndOfTurnTokens);
        Assert.Equal(["<|eot_id|>"], Load("Meta-Llama-3-8B-Instruct").EndOfTurnTokens);

        // zephyr's bos_token is an AddedToken object: its content is the text a template sees.
        var probe = Write("""{ "bos_token": { "__type": "AddedToken", "content": "<s>" }, "additional_special_tokens": ["<a>", { "content": "<b>" }], "chat_template": "{{ bos_token }}|{{ additional_special_tokens }}|{{ pad_token is defined }}|{{ tools is none }}|{{ documents is none }}" }""");

        Assert.Equal("<s>|['<a>', '<b>']|False|True|True", probe.Render([User1], true));
    }

    [Fact]
    public void Load_TemplateList_TakesTheOneNamedDefault()
    {
        var own = Write("""{ "chat_template": [ { "name": "tool_use", "template": "tools" }, { "name": "default", "template": "{{ messages[0].content }}!" } ] }""");

        Assert.Equal("Hello!!", own.Render([User1], true));

        File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TokenizerConfigFile), """{ "chat_template": [ { "name": "rag", "template": "x" }, { "name": "tool_use", "template": "y" } ] }""");
        var error = Assert.Throws<ModelLoadException>(() => JinjaChatTemplate.Load(_folder, TimeProvider.System));

        Assert.Contains("chat_template lists templates named rag, tool_use but none named 'default'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ChatTemplateJinjaFile_WinsOverTheConfigs()
    {
        Write("""{ "eos_token": "</s>", "chat_template": "from the config" }""");
        File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TemplateFile), "{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}\n");

        Assert.Equal("Hello!</s>", JinjaChatTemplate.Load(_folder, TimeProvider.System)!.Render([User1], true));
    }

    [Theory]
    [InlineData("""{ "eos_token": "</s>" }""")]
    [InlineData("""{ "chat_template": null }""")]
    public void Load_NoTemplate_Null(string config)
    {
        File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TokenizerConfigFile), config);

        Assert.Null(JinjaChatTemplate.Load(_folder, TimeProvider.System));
        Assert.Null(JinjaChatTemplate.Load(Path.Combine(_folder, "absent"), TimeProvider.System));
    }

    [Fact]
    public void Load_TemplateThatDoesNotParse_NamesTheFileAndLine()
    {
        File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TokenizerConfigFile), """{ "chat_template": "{% for m in messages %}\n{{ m.content }}\n{% endif %}" }""");

        var error = Assert.Throws<ModelLoadException>(() => JinjaChatTemplate.Load(_folder, TimeProvider.System));

        Assert.Contains("tokenizer_config.json chat_template: the chat template does not parse: line 3: Encountered unknown tag 'endif'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RuntimeFailure_ArgumentExceptionWithTheLine()
    {
        var own = Write("""{ "chat_template": "{{ messages[0].content }}\n{{ messages[0].content.nope.deeper }}" }""");

        var error = Assert.Throws<ArgumentException>(() => own.Render([User1], true));

        Assert.Equal("the model's chat template failed at line 2: 'str object' has no attribute 'nope'", error.Message);
    }

    [Fact]
    public void Render_StrftimeNow_ReadsTheServersLocalClock()
    {
        // Llama 3.2's template dates its system header with strftime_now("%d %b %Y") when transformers offers it.
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 7, 21, 5, 9, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.Utc);
        File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TokenizerConfigFile), """{ "chat_template": "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %-d %H:%M:%S %j %p %I %y %% %Q') }}" }""");

        var own = JinjaChatTemplate.Load(_folder, time)!;

        Assert.Equal("07 Mar 2025|Friday March 7 21:05:09 066 PM 09 25 % %Q", own.Render([User1], true));
    }

    [Fact]
    public void Load_SharedDataConfigs_RenderTheirTemplateWhenTheyHaveOne()
    {
        foreach (var name in new[] { "tiny-random-gpt2", "whisper-genai-test" })
        {
            if (SharedData.Folder(name, nameof(Load_SharedDataConfigs_RenderTheirTemplateWhenTheyHaveOne)) is not { } folder)
            {
                continue;
            }

            var hasTemplate = File.ReadAllText(Path.Combine(folder, JinjaChatTemplate.TokenizerConfigFile)).Contains("\"chat_template\"", StringComparison.Ordinal);
            var own = JinjaChatTemplate.Load(folder, TimeProvider.System);

            // Neither ships one today (SOURCES.md): these models keep answering chat requests with a 400, as before.
            Assert.Equal(hasTemplate, own is not null);
            if (own is not null)
            {
                Assert.NotEmpty(own.Render([User1], true));
            }
        }
    }

    private static JinjaChatTemplate Load(string model) =>
        JinjaChatTemplate.Load(Path.Combine(AppContext.BaseDirectory, "Generation", "HuggingFaceChatTemplates", model), TimeProvider.System)
        ?? throw new InvalidOperationException($"{model} has no chat template");

    private JinjaChatTemplate Write(string config)
    {
        File.WriteAllText(Path.Combine(_folder, JinjaChatTemplate.TokenizerConfigFile), config);
        return JinjaChatTemplate.Load(_folder, TimeProvider.System)!;
    }
}
