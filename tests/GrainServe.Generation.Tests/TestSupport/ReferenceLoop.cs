namespace GrainServe.Generation.TestSupport;

/// <summary>
/// The plain loop the engine must agree with: the whole history is fed each token, no batching, no cache, no
/// scheduling, with the same sampler and random source.
/// </summary>
public static class ReferenceLoop
{
    public static List<int> Generate(FakeStepModel model, GenerationRequest request, int maxSequenceTokens)
    {
        var sampling = request.Sampling;
        var random = new SequenceRandom(sampling.Seed ?? 0);
        var sampler = new Sampler();
        var history = request.PromptTokens.ToList();
        var output = new List<int>();
        var logits = new float[FakeStepModel.Vocabulary];
        while (true)
        {
            model.Logits(history, logits);
            var token = sampler.Sample(logits, request.PromptTokens, output.ToArray(), sampling, random);
            output.Add(token);
            history.Add(token);
            if (!sampling.IgnoreEos && request.StopTokenIds.Contains(token))
            {
                return output;
            }

            if (output.Count >= sampling.MaxTokens || history.Count >= maxSequenceTokens)
            {
                return output;
            }
        }
    }
}
