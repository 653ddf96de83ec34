namespace GrainServe.Generation.Jinja;

/// <summary>The filters, with Jinja's definitions and transformers' tojson.</summary>
public sealed class JinjaFilterTests
{
    [Theory]
    [InlineData("{{ '  hi\\n' | trim }}|{{ 'xhix' | trim('x') }}|{{ 'abc' | length }}|{{ [1, 2] | count }}|{{ missing | length }}", "hi|hi|3|2|0")]
    [InlineData("{{ 'Hi' | upper }} {{ 'Hi' | lower }} {{ 'hELLO wORLD' | capitalize }} {{ 'hello-world (foo) bAR' | title }}", "HI hi Hello world Hello-World (Foo) Bar")]
    [InlineData("{{ missing | default('x') }}|{{ '' | default('x') }}|{{ '' | default('x', true) }}|{{ none | d('n') }}|{{ missing | default }}", "x||x|None|")]
    [InlineData("{{ [1, 2, 3] | first }} {{ 'abc' | last }} [{{ [] | first }}] {{ {'k': 1} | first }}", "1 c [] k")]
    [InlineData("{{ [1, 2] | join('-') }} {{ 'abc' | join('.') }} {{ [1, 2] | join }}", "1-2 a.b.c 12")]
    [InlineData("{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 12 | string + 'x' }} {{ 'ab' | list }}", "bbb bba 12x ['a', 'b']")]
    [InlineData("{{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }} {{ '42.7' | int }} {{ 'x' | int }} {{ '1.5' | float }} {{ -3 | abs }}", "[3, 2, 1] cba 42 0 1.5 3")]
    [InlineData("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}", "a\n  b\n\n  c|  a\n  b")]
    public void Filter_AsJinjaDefinesIt(string source, string expected)
    {
        Assert.Equal(expected, Jinja.Render(source));
    }

    [Fact]
    public void Filter_SelectAttrAndMap_OverMessages()
    {
        var messages = ("messages", (object?)Jinja.Messages(("system", "s"), ("user", "a"), ("assistant", "b"), ("user", "c")));

        Assert.Equal("2", Jinja.Render("{{ messages | selectattr('role', 'equalto', 'user') | list | length }}", messages));
        Assert.Equal("c", Jinja.Render("{{ (messages | selectattr('role', 'eq', 'user') | list | last).content }}", messages));
        Assert.Equal("system,user,assistant,user", Jinja.Render("{{ messages | map(attribute='role') | join(',') }}", messages));
        Assert.Equal("ba", Jinja.Render("{{ messages | rejectattr('role', 'in', ['system', 'user']) | map(attribute='content') | join }}{{ ['a', ''] | select | join }}", messages));
        Assert.Equal("A,B", Jinja.Render("{{ ['a', 'b'] | map('upper') | join(',') }}"));
    }

    [Fact]
    public void Filter_LazyResults_AreGeneratorsAsInJinja()
    {
        // select and friends return generators: always true, no length, used up by one pass.
        Assert.Equal("yes", Jinja.Render("{{ 'yes' if [] | select else 'no' }}"));
        Assert.Equal("ab|", Jinja.Render("{% set g = ['a', 'b'] | select %}{{ g | join }}|{{ g | join }}"));
        Assert.Contains("has no len()", Jinja.Fails("{{ [1] | select | length }}").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_IsPythonsJsonDumps()
    {
        var tool = new JinjaDict
        {
            ["name"] = "get_weather",
            ["parameters"] = new JinjaDict { ["unit"] = new List<object?> { "°C", "°F" }, ["required"] = true, ["max"] = 1.5, ["none"] = null, ["empty"] = new JinjaDict() },
        };

        Assert.Equal(
            """{"name": "get_weather", "parameters": {"unit": ["°C", "°F"], "required": true, "max": 1.5, "none": null, "empty": {}}}""",
            Jinja.Render("{{ tool | tojson }}", ("tool", tool)));
        Assert.Equal(
            "{\n  \"name\": \"get_weather\",\n  \"parameters\": {\n    \"unit\": [\n      \"°C\",\n      \"°F\"\n    ],\n    \"required\": true,\n    \"max\": 1.5,\n    \"none\": null,\n    \"empty\": {}\n  }\n}",
            Jinja.Render("{{ tool | tojson(indent=2) }}", ("tool", tool)));
        Assert.Equal("\"a\\\"b\\\\c\\n\\u0001\" \"\\u00b0\" {\"a\": 1, \"b\": 2}", Jinja.Render("{{ 'a\"b\\\\c\\n\\x01' | tojson }} {{ '°' | tojson(ensure_ascii=true) }} {{ {'b': 2, 'a': 1} | tojson(sort_keys=true) }}"));
    }

    [Fact]
    public void Filter_NotImplementedButJinjas_FailsOnlyWhenItRuns()
    {
        Assert.Equal("ok", Jinja.Render("{% if false %}{{ [3, 1] | sort }}{% endif %}ok"));

        var error = Jinja.Fails("x\n{{ [3, 1] | sort }}");

        Assert.Equal(JinjaErrorKind.Runtime, error.Kind);
        Assert.Equal(2, error.Line);
        Assert.Contains("the filter 'sort' is not supported", error.Message, StringComparison.Ordinal);
    }
}
