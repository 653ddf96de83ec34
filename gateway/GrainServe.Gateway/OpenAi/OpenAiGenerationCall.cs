using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>A completions or chat completions request, read and checked: what to generate and how to answer.</summary>
/// <param name="Model">The <c>model</c> field.</param>
/// <param name="Request">What each of the <paramref name="N"/> choices generates.</param>
/// <param name="N">Choices to generate (<c>n</c>), each its own sequence.</param>
/// <param name="Stream">Answer with server-sent events.</param>
/// <param name="IncludeUsage"><c>stream_options.include_usage</c>: a last event with the usage.</param>
/// <param name="Chat">The chat route (its response shapes), rather than completions.</param>
internal sealed record OpenAiGenerationCall(string Model, GenerateRequest Request, int N, bool Stream, bool IncludeUsage, bool Chat);
