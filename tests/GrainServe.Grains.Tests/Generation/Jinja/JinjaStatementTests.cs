namespace GrainServe.Generation.Jinja;

/// <summary>Statements: for (loop variables, filter, else, unpacking, break), if, set and its scoping, namespace, macro.</summary>
public sealed class JinjaStatementTests
{
    [Fact]
    public void For_LoopVariables_CountFromOneAndZero()
    {
        var text = Jinja.Render("{% for x in ['a', 'b', 'c'] %}{{ x }}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}|{% endfor %}");

        Assert.Equal("a10TrueFalse33|b21FalseFalse32|c32FalseTrue31|", text);
    }

    [Fact]
    public void For_PreviousAndNextItem_UndefinedAtTheEnds()
    {
        Assert.Equal("[-b][a-c][b-]", Jinja.Render("{% for x in 'abc' %}[{{ loop.previtem }}-{{ loop.nextitem }}]{% endfor %}"));
    }

    [Fact]
    public void For_FilterAndElse_LoopCountsOnlyWhatPasses()
    {
        Assert.Equal("1,3,5", Jinja.Render("{% for x in range(6) if x is odd %}{{ x }}{{ ',' if not loop.last }}{% endfor %}"));
        Assert.Equal("empty", Jinja.Render("{% for x in [] %}x{% else %}empty{% endfor %}"));
        Assert.Equal("none", Jinja.Render("{% for x in [1, 2] if x > 5 %}x{% else %}none{% endfor %}"));
        Assert.Equal("", Jinja.Render("{% for x in missing %}x{% endfor %}"));
    }

    [Fact]
    public void For_TwoTargets_UnpackEachItem()
    {
        var tool = new JinjaDict { ["name"] = "get_weather", ["type"] = "function" };

        Assert.Equal("name=get_weather;type=function;", Jinja.Render("{% for k, v in tool.items() %}{{ k }}={{ v }};{% endfor %}", ("tool", tool)));
        Assert.Equal("name=get_weather;type=function;", Jinja.Render("{% for k, v in tool | items %}{{ k }}={{ v }};{% endfor %}", ("tool", tool)));
    }

    [Fact]
    public void For_BreakAndContinue_AsTheLoopControlsExtension()
    {
        Assert.Equal("02", Jinja.Render("{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}"));
    }

    [Fact]
    public void For_NestedLoops_LoopIsTheInnermost()
    {
        Assert.Equal("1.1 1.2 2.1 2.2 ", Jinja.Render("{% for a in [1, 2] %}{% set outer = loop.index %}{% for b in [1, 2] %}{{ outer }}.{{ loop.index }} {% endfor %}{% endfor %}"));
    }

    [Fact]
    public void If_ElifElse_TakesTheFirstTrueBranch()
    {
        const string Source = "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}";

        Assert.Equal("one two many ", Jinja.Render(Source));
    }

    [Fact]
    public void Set_InsideALoop_EndsWithTheIteration()
    {
        // Jinja's scoping: the loop body is a frame of its own, entered afresh for every item; if is not.
        Assert.Equal("1", Jinja.Render("{% set x = 1 %}{% for i in [1, 2] %}{% set x = 2 %}{% endfor %}{{ x }}"));
        Assert.Equal("FalseFalse", Jinja.Render("{% for i in [1, 2] %}{{ x is defined }}{% set x = i %}{% endfor %}"));
        Assert.Equal("y", Jinja.Render("{% if true %}{% set x = 'y' %}{% endif %}{{ x }}"));
    }

    [Fact]
    public void Set_Namespace_CarriesValuesOutOfTheLoop()
    {
        const string Source = "{% set ns = namespace(found=false, count=0) %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.found = true %}{% endif %}"
            + "{% set ns.count = ns.count + 1 %}{% endfor %}{{ ns.found }} {{ ns.count }}";

        Assert.Equal("True 2", Jinja.Render(Source, ("messages", Jinja.Messages(("user", "a"), ("system", "b")))));
    }

    [Fact]
    public void Set_TupleAndBlock_AssignEachName()
    {
        Assert.Equal("2 1", Jinja.Render("{% set a, b = 1, 2 %}{{ b }} {{ a }}"));
        Assert.Equal("[a2]", Jinja.Render("{% set x %}a{{ 1 + 1 }}{% endset %}[{{ x }}]"));
        Assert.Equal("AB|y", Jinja.Render("{% set x | upper %}a{{ 'b' }}{% endset %}{{ x }}|{% set ns = namespace() %}{% set ns.x %}y{% endset %}{{ ns.x }}"));
    }

    [Fact]
    public void Set_ReassigningAContextVariable_ShadowsItForTheRest()
    {
        // Llama 3.1 drops the system message this way: {%- set messages = messages[1:] %}.
        var text = Jinja.Render("{% set messages = messages[1:] %}{% for m in messages %}{{ m.content }}{% endfor %}", ("messages", Jinja.Messages(("system", "s"), ("user", "u"))));

        Assert.Equal("u", text);
    }

    [Fact]
    public void Macro_DefaultsAndKeywords_RenderItsBody()
    {
        const string Source = "{% macro greet(name, greeting='Hi') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', greeting='Yo') }} [{{ greet() }}]";

        Assert.Equal("Hi, Ann! Yo, Bo! [Hi, !]", Jinja.Render(Source));
    }

    [Fact]
    public void Macro_Recursive_ReachesItsBase()
    {
        const string Source = "{% macro count(n) %}{{ n }}{% if n > 0 %}{{ count(n - 1) }}{% endif %}{% endmacro %}{{ count(3) }}";

        Assert.Equal("3210", Jinja.Render(Source));
    }

    [Fact]
    public void Generation_Block_RendersItsBody()
    {
        // transformers' AssistantTracker extension marks assistant text; rendering is unchanged.
        Assert.Equal("<a>x</a>", Jinja.Render("<a>{% generation %}x{% endgeneration %}</a>"));
    }
}
