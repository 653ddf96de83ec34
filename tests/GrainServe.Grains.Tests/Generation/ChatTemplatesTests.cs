namespace GrainServe.Generation;

/// <summary>
/// Each template against the text its model's Jinja chat_template renders (Hugging Face renders with trim_blocks and
/// lstrip_blocks, and Jinja drops one trailing newline). The Jinja sources are quoted above each group; the expected
/// strings are rendered from them by hand.
/// </summary>
public sealed class ChatTemplatesTests
{
    private static readonly ChatMessage SystemMessage = new("system", "You are a helpful assistant.");
    private static readonly ChatMessage User1 = new("user", "Hello!");
    private static readonly ChatMessage Assistant1 = new("assistant", "Hi there. How can I help?");
    private static readonly ChatMessage User2 = new("user", "What is 2 + 2?");

    // ---- chatml: teknium/OpenHermes-2.5-Mistral-7B tokenizer_config.json (Hugging Face's ChatML) ----
    // {% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}
    // {% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}

    [Fact]
    public void ChatML_SystemAndMultiTurn_WithGenerationPrompt()
    {
        var text = ChatTemplates.Get(ChatTemplates.ChatML).Render([SystemMessage, User1, Assistant1, User2], addGenerationPrompt: true);

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHello!<|im_end|>\n" +
            "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n" +
            "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n" +
            "<|im_start|>assistant\n",
            text);
    }

    [Fact]
    public void ChatML_WithoutGenerationPrompt_EndsAfterTheLastTurn()
    {
        var text = ChatTemplates.Get(ChatTemplates.ChatML).Render([User1, Assistant1], addGenerationPrompt: false);

        Assert.Equal("<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n", text);
        Assert.Equal(["<|im_end|>"], ChatTemplates.Get(ChatTemplates.ChatML).EndOfTurnTokens);
    }

    // ---- qwen2.5: Qwen/Qwen2.5-0.5B-Instruct tokenizer_config.json, the branch without tools ----
    // {%- if tools %} … {%- else %}
    //     {%- if messages[0]['role'] == 'system' %}
    //         {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    //     {%- else %}
    //         {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    //     {%- endif %}
    // {%- endif %}
    // {%- for message in messages %}
    //     {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
    //         {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    //     {%- elif message.role == "assistant" %} … tool calls … {%- elif message.role == "tool" %} … {%- endif %}
    // {%- endfor %}
    // {%- if add_generation_prompt %}
    //     {{- '<|im_start|>assistant\n' }}
    // {%- endif %}

    [Fact]
    public void Qwen25_NoSystemMessage_PutsItsDefaultFirst()
    {
        var text = ChatTemplates.Get(ChatTemplates.Qwen25).Render([User1], addGenerationPrompt: true);

        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHello!<|im_end|>\n" +
            "<|im_start|>assistant\n",
            text);
    }

    [Fact]
    public void Qwen25_SystemMessage_ReplacesTheDefaultOnce()
    {
        var text = ChatTemplates.Get(ChatTemplates.Qwen25).Render([SystemMessage, User1, Assistant1], addGenerationPrompt: false);

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHello!<|im_end|>\n" +
            "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n",
            text);
    }

    // ---- llama3: meta-llama/Meta-Llama-3-8B-Instruct tokenizer_config.json ----
    // {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] +
    // '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}
    // {% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}
    // (bos_token is <|begin_of_text|>; the filter binds tighter than +, so only the content is trimmed.)

    [Fact]
    public void Llama3_SystemAndMultiTurn_TrimsContentAndWritesBosOnce()
    {
        var template = ChatTemplates.Get(ChatTemplates.Llama3);

        var text = template.Render([new("system", "  You are a helpful assistant.\n"), User1, Assistant1, User2], addGenerationPrompt: true);

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            text);
        Assert.True(template.RendersBos);
        Assert.Contains("<|eot_id|>", template.EndOfTurnTokens);
    }

    [Fact]
    public void Llama3_WithoutGenerationPrompt_EndsAtTheLastEotId()
    {
        var text = ChatTemplates.Get(ChatTemplates.Llama3).Render([User1], addGenerationPrompt: false);

        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>", text);
    }

    // ---- mistral: mistralai/Mistral-7B-Instruct-v0.2 tokenizer_config.json since May 2024 (quoted, dated
    // [05/08/24], by guidance-ai/guidance's chat templates) ----
    // {%- if messages[0]['role'] == 'system' %}
    //     {%- set system_message = messages[0]['content'] %}
    //     {%- set loop_messages = messages[1:] %}
    // {%- else %}
    //     {%- set loop_messages = messages %}
    // {%- endif %}
    //
    // {{- bos_token }}
    // {%- for message in loop_messages %}
    //     {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
    //         {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}
    //     {%- endif %}
    //     {%- if message['role'] == 'user' %}
    //         {%- if loop.first and system_message is defined %}
    //             {{- ' [INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }}
    //         {%- else %}
    //             {{- ' [INST] ' + message['content'] + ' [/INST]' }}
    //         {%- endif %}
    //     {%- elif message['role'] == 'assistant' %}
    //         {{- ' ' + message['content'] + eos_token}}
    //     {%- else %}
    //         {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}
    //     {%- endif %}
    // {%- endfor %}
    // (bos_token <s>, eos_token </s>; no generation prompt.)

    [Fact]
    public void Mistral_SystemMessage_GoesBeforeTheFirstUserMessage()
    {
        var template = ChatTemplates.Get(ChatTemplates.Mistral);

        var text = template.Render([SystemMessage, User1, Assistant1, User2], addGenerationPrompt: true);

        Assert.Equal("<s> [INST] You are a helpful assistant.\n\nHello! [/INST] Hi there. How can I help?</s> [INST] What is 2 + 2? [/INST]", text);
        Assert.Equal(text, template.Render([SystemMessage, User1, Assistant1, User2], addGenerationPrompt: false));
        Assert.Equal(["</s>"], template.EndOfTurnTokens);
    }

    [Fact]
    public void Mistral_NoSystemMessage_AlternatesInstAndAnswers()
    {
        var text = ChatTemplates.Get(ChatTemplates.Mistral).Render([User1, Assistant1, User2], addGenerationPrompt: true);

        Assert.Equal("<s> [INST] Hello! [/INST] Hi there. How can I help?</s> [INST] What is 2 + 2? [/INST]", text);
    }

    [Theory]
    [InlineData("user", "user")]
    [InlineData("assistant", "user")]
    [InlineData("system", "assistant")]
    public void Mistral_RolesNotAlternating_RaisesAsTheTemplateDoes(string first, string second)
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Get(ChatTemplates.Mistral).Render([new(first, "a"), new(second, "b")], true));

        Assert.StartsWith("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mistral_LaterSystemMessage_OnlyUserAndAssistant()
    {
        // At an odd place the alternation check passes (not user, not expected to be), the role check fails.
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Get(ChatTemplates.Mistral).Render([User1, SystemMessage], true));

        Assert.StartsWith("Only user and assistant roles are supported, with the exception of an initial optional system message!", error.Message, StringComparison.Ordinal);
    }

    // ---- zephyr: HuggingFaceH4/zephyr-7b-beta tokenizer_config.json ----
    // {% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n
    // {% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n
    // {% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n
    // {% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}
    // (trim_blocks removes the newline after each block tag; the one after each {{ … }} stays. eos_token is </s>.)

    [Fact]
    public void Zephyr_SystemAndMultiTurn_WithGenerationPrompt()
    {
        var text = ChatTemplates.Get(ChatTemplates.Zephyr).Render([SystemMessage, User1, Assistant1, User2], addGenerationPrompt: true);

        Assert.Equal(
            "<|system|>\nYou are a helpful assistant.</s>\n" +
            "<|user|>\nHello!</s>\n" +
            "<|assistant|>\nHi there. How can I help?</s>\n" +
            "<|user|>\nWhat is 2 + 2?</s>\n" +
            "<|assistant|>\n",
            text);
        Assert.Equal("<|user|>\nHello!</s>\n", ChatTemplates.Get(ChatTemplates.Zephyr).Render([User1], addGenerationPrompt: false));
    }

    // ---- validation and lookup ----

    [Theory]
    [InlineData(ChatTemplates.ChatML)]
    [InlineData(ChatTemplates.Qwen25)]
    [InlineData(ChatTemplates.Llama3)]
    [InlineData(ChatTemplates.Zephyr)]
    public void Render_UnknownRole_FailsNamingIt(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Get(name).Render([User1, new("tool", "42")], true));

        Assert.Contains("message 1: role 'tool' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ChatTemplates.ChatML)]
    [InlineData(ChatTemplates.Llama3)]
    [InlineData(ChatTemplates.Mistral)]
    public void Render_NoMessages_Fails(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Get(name).Render([], true));

        Assert.Contains("at least one message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_ByNameIgnoringCase_AndUnknownNameListsTheKnown()
    {
        Assert.Equal(ChatTemplates.ChatML, ChatTemplates.Get("ChatML").Name);
        Assert.Equal(5, ChatTemplates.Names.Count);

        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Get("vicuna"));

        Assert.Contains("unknown chat template 'vicuna'; known: chatml, llama3, mistral, qwen2.5, zephyr", error.Message, StringComparison.Ordinal);
    }
}
