namespace GrainServe.Bench;

/// <summary>Sentences of 4 to 40 words, as short queries and passages in a retrieval workload.</summary>
internal static class Sentences
{
    private static readonly string[] Words =
        "the a model cluster request batch device memory token query answer network latency throughput server client silo grain embedding vector search index document passage retrieval quarterly revenue customer support password reset invoice weather forecast river mountain library".Split(' ');

    public static string[] Corpus { get; } = Enumerable.Range(0, 256).Select(Make).ToArray();

    private static string Make(int i)
    {
        var random = new Random(i);
        var length = 4 + random.Next(37);
        return string.Join(' ', Enumerable.Range(0, length).Select(_ => Words[random.Next(Words.Length)])) + ".";
    }
}
