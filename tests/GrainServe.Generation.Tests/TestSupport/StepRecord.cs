namespace GrainServe.Generation.TestSupport;

/// <summary>What the fake step model was given in one step.</summary>
public sealed record StepRecord(int Step, EntryRecord[] Entries)
{
    public int Tokens => Entries.Sum(e => e.Tokens);
}
