namespace GrainServe.Generation.TestSupport;

/// <summary>Sequences for the pure scheduler tests, and a stand-in for the engine applying a step.</summary>
public static class TestSequences
{
    private static readonly FakeTokenDecoder Decoder = new();

    internal static Sequence Create(long id, int promptLength, int maxTokens = 100, int priority = 0)
    {
        var prompt = Enumerable.Range(0, promptLength).Select(i => 2 + (i % 40)).ToArray();
        var request = new GenerationRequest(prompt, new SamplingParameters { MaxTokens = maxTokens, Temperature = 0 }, []) { Priority = priority };
        return new Sequence(id, request, Decoder, promptLength + maxTokens);
    }

    /// <summary>What the engine does after the model ran: advance computed counts and append a token where the slice ended.</summary>
    internal static void Apply(SchedulerOutput output)
    {
        foreach (var (sequence, tokens) in output.Scheduled)
        {
            sequence.ComputedTokens += tokens;
            if (sequence.ComputedTokens == sequence.TotalTokens)
            {
                sequence.Status = SequenceStatus.Decoding;
                sequence.Append(7);
            }
        }
    }
}
