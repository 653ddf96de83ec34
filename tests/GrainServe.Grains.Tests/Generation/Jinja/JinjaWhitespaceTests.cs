namespace GrainServe.Generation.Jinja;

/// <summary>
/// Whitespace control as Jinja applies it with transformers' settings (trim_blocks, lstrip_blocks, no trailing
/// newline kept). Each expected string is what Jinja 3.1 renders for the source.
/// </summary>
public sealed class JinjaWhitespaceTests
{
    [Theory]
    // trim_blocks: the newline right after a block tag goes, the one after {{ }} stays.
    [InlineData("{% if true %}\nyes\n{% endif %}\nno", "yes\nno")]
    [InlineData("{{ 'a' }}\nb", "a\nb")]
    [InlineData("{% if true %}  \nx{% endif %}", "  \nx")]
    // lstrip_blocks: spaces and tabs from the line's start up to a block tag go; text before it on the line keeps them.
    [InlineData("  {% if true %}x{% endif %}", "x")]
    [InlineData("a\n \t {% if true %}x{% endif %}", "a\nx")]
    [InlineData("a  {% if true %}x{% endif %}", "a  x")]
    [InlineData("  {{ 'x' }}", "  x")]
    // After a block tag ate its newline, the next line starts there: its indentation before a tag goes too.
    [InlineData("{% if true %}\n    {% if true %}x{% endif %}\n{% endif %}", "x")]
    // The + modifiers turn lstrip_blocks and trim_blocks off for that tag.
    [InlineData("  {%+ if true %}x{% endif %}", "  x")]
    [InlineData("{% if true +%}\nx{% endif %}", "\nx")]
    // The - modifiers strip all whitespace, newlines included, on their side.
    [InlineData("a  \n  {%- if true -%}  \n  b  {%- endif %}", "ab")]
    [InlineData("a \n {{- 'b' -}} \n c", "abc")]
    [InlineData("a{# note -#}   \n b", "ab")]
    // Comments are dropped and trimmed as blocks are.
    [InlineData("a\n{# note #}\nb", "a\nb")]
    [InlineData("a\n   {# note #}\nb", "a\nb")]
    // One trailing newline of the source goes (keep_trailing_newline is off); \r\n and \r read as \n.
    [InlineData("x\n", "x")]
    [InlineData("x\n\n", "x\n")]
    [InlineData("a\r\nb\rc", "a\nb\nc")]
    public void Render_WhitespaceControl_MatchesJinja(string source, string expected)
    {
        Assert.Equal(expected, Jinja.Render(source));
    }

    [Fact]
    public void Render_IndentedMultiLineTemplate_LeavesOnlyWhatTheExpressionsWrite()
    {
        // The layout Qwen and Llama 3.1 write their templates in: every tag indented and opened with {%- or {{-.
        const string Source = """
            {%- for message in messages %}
                {%- if message.role == 'user' %}
                    {{- 'U:' + message.content }}
                {%- else %}
                    {{- 'A:' + message.content }}
                {%- endif %}
                {{- '\n' }}
            {%- endfor %}

            """;

        var text = Jinja.Render(Source, ("messages", Jinja.Messages(("user", "hi"), ("assistant", "yo"))));

        Assert.Equal("U:hi\nA:yo\n", text);
    }

    [Fact]
    public void Render_ZephyrLayout_KeepsTheNewlineAfterEachExpression()
    {
        // Zephyr's template: a block tag on each line; trim_blocks removes their newlines, not those after {{ }}.
        const string Source = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] }}\n{% endif %}\n{% endfor %}";

        Assert.Equal("<|user|>\nhi\n", Jinja.Render(Source, ("messages", Jinja.Messages(("user", "hi")))));
    }
}
