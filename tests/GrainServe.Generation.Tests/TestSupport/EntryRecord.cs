namespace GrainServe.Generation.TestSupport;

/// <summary>One entry of a recorded step, without its tokens.</summary>
public readonly record struct EntryRecord(long SequenceId, int Tokens, int Start, bool NeedsLogits, object? Conditioning = null, IStepOutputSink? Outputs = null);
