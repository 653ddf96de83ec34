namespace GrainServe.Generation.Jinja;

/// <summary>Expressions with Python's semantics: literals, operators, precedence, access, methods, tests and undefined.</summary>
public sealed class JinjaExpressionTests
{
    private static readonly (string, object?) Chat = ("messages", Jinja.Messages(("system", "be brief"), ("user", "hi"), ("assistant", "hello")));

    [Theory]
    [InlineData("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 10 }} {{ -2 ** 2 }}", "7 9 1024 4")]
    [InlineData("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 4 / 2 }}", "3 -4 1 2 3.5 2.0")]
    [InlineData("{{ 'a' ~ 1 ~ none ~ missing }}", "a1None")]
    [InlineData("{{ 'a' 'b' }} {{ 'x' * 3 }} {{ [1] + [2] }}", "ab xxx [1, 2]")]
    [InlineData("{{ [1, 'a', none, true, 1.5] }} {{ {'a': 1, 'b': [2]} }} {{ (1,) }} {{ (1, 'b') }}", "[1, 'a', None, True, 1.5] {'a': 1, 'b': [2]} (1,) (1, 'b')")]
    [InlineData("{{ none }} {{ true }} {{ True }} {{ false }} {{ 1.0 }} {{ 1e-5 }} {{ 1e16 }} {{ 0.1 + 0.2 }} {{ 1_000 }}", "None True True False 1.0 1e-05 1e+16 0.30000000000000004 1000")]
    [InlineData("{{ \"it's\" }} {{ ['it\\'s', 'a\\nb'] }}", "it's [\"it's\", 'a\\nb']")]
    [InlineData("{{ 'x' if false }}|{{ 'y' if 1 < 2 < 3 else 'n' }}|{{ 'y' if 3 < 2 < 4 else 'n' }}", "|y|n")]
    [InlineData("{{ 'b' in 'abc' }} {{ 2 not in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' in missing }}", "True False True False")]
    [InlineData("{{ not true or false and true }} {{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or [] }}", "False x y []")]
    [InlineData("{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ [1, 2] == [1, 2] }} {{ 'a' < 'b' }} {{ missing == missing }}", "True True True True True True")]
    [InlineData("{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1, 2, 3][-2:] }} {{ [1, 2, 3][:-1] }} {{ 'hello'[-1] }} {{ [1, 2, 3][5] }}", "el olleh [2, 3] [1, 2] o ")]
    public void Render_Expression_AsPythonEvaluatesIt(string source, string expected)
    {
        Assert.Equal(expected, Jinja.Render(source));
    }

    [Fact]
    public void Render_FilterBindsTighterThanPlus_AsLlama3Relies()
    {
        // '…' + message['content'] | trim trims only the content.
        Assert.Equal("< x >[x]", Jinja.Render("{{ '< ' + 'x' | trim + ' >' }}[{{ ('  ' + 'x') | trim }}]"));
    }

    [Fact]
    public void Render_ItemAndAttributeAccess_ReachTheSameKeys()
    {
        var text = Jinja.Render("{{ messages[0]['role'] }} {{ messages[0].role }} {{ messages.0.content }} {{ messages[-1].content }} {{ messages[1:] | length }} [{{ messages[0].tool_calls }}]", Chat);

        Assert.Equal("system system be brief hello 2 []", text);
    }

    [Fact]
    public void Render_StringMethods_ArePython()
    {
        const string Source = "{{ '  hi \\n'.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '  hi'.lstrip() }}|{{ 'hi  '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}"
            + "|{{ 'a b c'.split(' ', 1) }}|{{ 'Hi'.startswith('H') }}|{{ 'Hi'.endswith(('x', 'i')) }}|{{ \"they're here\".title() }}|{{ 'aBc'.upper() }}{{ 'aBc'.lower() }}"
            + "|{{ 'x</think>y'.split('</think>')[-1] }}|{{ '-'.join(['a', 'b']) }}|{{ 'abc'.replace('b', 'B') }}|{{ 'hello'.find('l') }}|{{ 'abc'.capitalize() }}";

        Assert.Equal("hi|hi|hi|hi|['a', 'b', '', 'c']|['a', 'b']|['a', 'b c']|True|True|They'Re Here|ABCabc|y|a-b|aBc|2|Abc", Jinja.Render(Source));
    }

    [Fact]
    public void Render_DictMethods_ItemsKeysValuesGet()
    {
        var tool = new JinjaDict { ["name"] = "f", ["n"] = 2L };

        var text = Jinja.Render("{{ tool.get('name') }} {{ tool.get('x') }} {{ tool.get('x', 'd') }} {{ tool.keys() | list }} {{ tool.values() | list }} {{ tool.items() | list }}", ("tool", tool));

        Assert.Equal("f None d ['name', 'n'] ['f', 2] [('name', 'f'), ('n', 2)]", text);
    }

    [Theory]
    [InlineData("{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ 1 is not none }}", "False True True True")]
    [InlineData("{{ 'a' is string }} {{ 1 is number }} {{ 1 is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ true is integer }}", "True True True True True False")]
    [InlineData("{{ {} is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} {{ 1 is iterable }} {{ [] is sequence }} {{ x is iterable }}", "True True True False True True")]
    [InlineData("{{ 3 is odd }} {{ 3 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }} {{ 1 is eq 1 }} {{ 2 is gt(1) }} {{ 'a' is in 'abc' }}", "True False True False True True True")]
    [InlineData("{{ not x is defined }} {{ x is not defined and true }} {{ none is sameas none }} {{ 'ab' is lower }}", "True True True True")]
    public void Render_Tests_AsJinjaDefinesThem(string source, string expected)
    {
        Assert.Equal(expected, Jinja.Render(source));
    }

    [Fact]
    public void Render_Undefined_PrintsNothingIsFalseAndIteratesEmpty()
    {
        var text = Jinja.Render("[{{ missing }}]{{ missing | length }}{{ missing is defined }}{% for x in missing %}x{% endfor %}{{ 'y' if not missing }}[{{ d.nothing }}][{{ d['nothing'] }}]", ("d", new JinjaDict()));

        Assert.Equal("[]0Falsey[][]", text);
    }

    [Fact]
    public void Render_GlobalFunctions_RangeDictNamespace()
    {
        Assert.Equal("[0, 1, 2] [1, 3] [3, 2, 1] {'a': 1} 5", Jinja.Render("{{ range(3) | list }} {{ range(1, 5, 2) | list }} {{ range(3, 0, -1) | list }} {{ dict(a=1) }} {{ namespace(v=5).v }}"));
    }

    [Fact]
    public void Render_LoopCycle_TakesTurns()
    {
        Assert.Equal("odd even odd ", Jinja.Render("{% for i in range(3) %}{{ loop.cycle('odd', 'even') }} {% endfor %}"));
    }
}
