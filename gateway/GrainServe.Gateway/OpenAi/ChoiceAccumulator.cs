using System.Text;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>One choice of a non-streamed answer, gathered from its chunks.</summary>
internal sealed class ChoiceAccumulator
{
    private readonly StringBuilder _text = new();

    public string Text => _text.ToString();

    public List<GenerateTokenLogprob> Logprobs { get; } = [];

    public GenerateFinishReason? Finish { get; private set; }

    public int PromptTokens { get; private set; }

    public int CompletionTokens { get; private set; }

    public void Add(GenerateChunk chunk)
    {
        _text.Append(chunk.Text);
        if (chunk.Logprobs is { } logprobs)
        {
            Logprobs.AddRange(logprobs);
        }

        Finish = chunk.FinishReason ?? Finish;
        PromptTokens = chunk.PromptTokens;
        CompletionTokens = chunk.CompletionTokens;
    }
}
