using System.Globalization;
using System.Text;

namespace GrainServe.Bench;

/// <summary>The deadline scenario's figures and their Markdown table (medians over the rounds).</summary>
internal sealed record DeadlineReport(IReadOnlyList<DeadlineRound> Rounds, double Overload, TimeSpan Duration, IReadOnlyList<DeadlineArm> Arms)
{
    /// <summary>True when the run shows what it should: no unexpected errors, and the deadline arm answered something in time.</summary>
    public bool Healthy => Arms.All(a => a.OtherErrors == 0 && a.Requests > 0) && Arms.Where(a => a.Arm == "deadlines sent").All(a => a.InTime > 0);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Arms.Count / Math.Max(1, Rounds.Count)} arms of {Duration.TotalSeconds:0} s per round, {Rounds.Count} round(s), each offering {Overload:F2}x what the instance served in that round's calibration:");
        foreach (var (round, i) in Rounds.Select((r, i) => (r, i)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- round {i + 1}: served {round.Capacity:F0} requests/s, offered {round.OfferedRate:F0}/s; half the requests due in {round.Tight.TotalMilliseconds:0} ms, half in {round.Loose.TotalMilliseconds:0} ms");
        }

        text.AppendLine();
        text.AppendLine("Medians over the rounds:");
        text.AppendLine();
        text.AppendLine("| arm | requests | answered in time | tight in time | loose in time | 504 | late 200 | client gave up | rows run/s | rows run per answer in time |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in Arms.GroupBy(a => a.Arm))
        {
            var m = group.ToList();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key} | {m.Median(a => a.Requests):F0} | {m.Median(a => a.InTimeShare):P1} | {m.Median(a => a.Share(true)):P1} | {m.Median(a => a.Share(false)):P1} | {m.Median(a => a.Refused):F0} | {m.Median(a => a.Late):F0} | {m.Median(a => a.GaveUp):F0} | {m.Median(a => a.RowsRun / Duration.TotalSeconds):F0} | {m.Median(a => a.RowsPerUsefulAnswer):F2} |");
        }

        return text.ToString();
    }
}
