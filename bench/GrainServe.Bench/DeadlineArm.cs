namespace GrainServe.Bench;

/// <summary>What one arm of the deadline scenario measured: every request's outcome, and the rows and batches the instance ran.</summary>
internal sealed record DeadlineArm(string Arm, int Round, IReadOnlyList<DeadlineOutcome> Outcomes, long RowsRun, long Batches)
{
    public int Requests => Outcomes.Count;

    public int InTime => Outcomes.Count(o => o.InTime);

    public double InTimeShare => Requests == 0 ? 0 : (double)InTime / Requests;

    /// <summary>Answered 200, but after the deadline: device time spent on an answer nobody could use.</summary>
    public int Late => Outcomes.Count(o => !o.GaveUp && o.Status == System.Net.HttpStatusCode.OK && !o.InTime);

    /// <summary>Failed fast with 504: the server said in time that it could not meet the deadline.</summary>
    public int Refused => Outcomes.Count(o => o.Status == System.Net.HttpStatusCode.GatewayTimeout);

    public int GaveUp => Outcomes.Count(o => o.GaveUp);

    /// <summary>Anything else: a 503 or a 500 (none expected: no queue limit is set).</summary>
    public int OtherErrors => Outcomes.Count(o => !o.GaveUp && o.Status is not (System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.GatewayTimeout));

    /// <summary>Rows the device ran per answer that came in time (1.0: no work wasted).</summary>
    public double RowsPerUsefulAnswer => InTime == 0 ? double.PositiveInfinity : (double)RowsRun / InTime;

    public double Share(bool tight)
    {
        var group = Outcomes.Where(o => o.Tight == tight).ToList();
        return group.Count == 0 ? 0 : (double)group.Count(o => o.InTime) / group.Count;
    }
}
