using System.Diagnostics;
using System.Text;

namespace GrainServe.Gateway.Tracing;

/// <summary>One trace's spans as the in-memory exporter kept them, with helpers to walk their parentage.</summary>
internal sealed class TraceTree(ActivityTraceId traceId, IReadOnlyList<Activity> spans)
{
    public IReadOnlyList<Activity> Spans { get; } = spans;

    /// <summary>Polls <paramref name="all"/> until the trace's ASP.NET Core span (the last to end) is in, 15 s at most.</summary>
    public static async Task<TraceTree> WaitAsync(Func<Activity[]> all, ActivityTraceId traceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var spans = all().Where(s => s.TraceId == traceId).ToList();
            if (spans.Any(s => s.Source.Name == "Microsoft.AspNetCore") || DateTime.UtcNow > deadline)
            {
                return new TraceTree(traceId, spans);
            }

            await Task.Delay(50);
        }
    }

    public Activity Single(string name, ActivitySpanId parent)
    {
        var matches = Spans.Where(s => s.DisplayName == name && s.ParentSpanId == parent).ToList();
        Assert.True(matches.Count == 1, $"expected one span '{name}' under {parent} in trace {traceId}, found {matches.Count}:\n{this}");
        return matches[0];
    }

    public Activity Single(Func<Activity, bool> match, string what)
    {
        var matches = Spans.Where(match).ToList();
        Assert.True(matches.Count == 1, $"expected one {what} in trace {traceId}, found {matches.Count}:\n{this}");
        return matches[0];
    }

    /// <summary>The tree, one span a line, indented under its parent, with the attributes the tests check.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var ids = Spans.Select(s => s.SpanId).ToHashSet();
        foreach (var root in Spans.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.StartTimeUtc))
        {
            Write(text, root, 0);
        }

        return text.ToString();
    }

    private void Write(StringBuilder text, Activity span, int depth)
    {
        var tags = string.Join(", ", span.TagObjects.Where(t => t.Key.StartsWith("triton.", StringComparison.Ordinal) || t.Key.StartsWith("grainserve.", StringComparison.Ordinal))
            .Select(t => $"{t.Key}={t.Value}"));
        var events = string.Join(",", span.Events.Select(e => e.Name));
        text.Append(' ', depth * 2).Append(span.DisplayName).Append(" [").Append(span.Source.Name).Append(", ").Append(span.Kind).Append(']');
        if (tags.Length > 0)
        {
            text.Append(' ').Append(tags);
        }

        if (events.Length > 0)
        {
            text.Append(" events=").Append(events);
        }

        if (span.Links.Any())
        {
            text.Append(" links=").Append(span.Links.Count());
        }

        text.AppendLine();
        foreach (var child in Spans.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartTimeUtc))
        {
            Write(text, child, depth + 1);
        }
    }
}
