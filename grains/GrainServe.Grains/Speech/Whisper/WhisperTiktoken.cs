using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GrainServe.Generation;
using GrainServe.Runtime;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Whisper's tiktoken vocabularies (<c>multilingual.tiktoken</c>, <c>gpt2.tiktoken</c>): a line per token, its bytes in
/// base64 and its rank, which is its id. <c>get_encoding</c> counts every line, so multilingual.tiktoken's last line,
/// an empty token (<c>= 50256</c>), takes id 50256 and puts <c>&lt;|endoftext|&gt;</c> at 50257.
/// </summary>
internal static class WhisperTiktoken
{
    /// <summary>Each token's bytes by id, read from a <c>.tiktoken</c> file.</summary>
    /// <exception cref="ModelLoadException">A line is not base64 and a rank, or the ranks are not 0, 1, 2, … each once.</exception>
    public static byte[][] Read(string file)
    {
        var ranks = new List<byte[]?>(51000);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.IndexOf(' ');
            if (space < 0
                || !int.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var rank)
                || !TryBase64(line[..space], out var bytes))
            {
                throw new ModelLoadException($"{file}:{lineNumber} is not a tiktoken line (a token's bytes in base64, a space and its rank): '{Truncate(line)}'");
            }

            while (ranks.Count <= rank)
            {
                ranks.Add(null);
            }

            if (ranks[rank] is not null)
            {
                throw new ModelLoadException($"{file}:{lineNumber}: rank {rank} is given twice");
            }

            ranks[rank] = bytes;
        }

        var missing = ranks.IndexOf(null);
        if (missing >= 0)
        {
            throw new ModelLoadException($"{file} has no token of rank {missing}: Whisper's vocabularies give every rank from 0 up one token");
        }

        return ranks.Select(r => r!).ToArray();
    }

    /// <summary>
    /// A tiktoken BPE over <paramref name="tokenBytes"/> with Whisper's <c>pat_str</c> (GPT-2's pre-tokenizer). It has
    /// no special tokens: the text it is given is text, and an empty token (which no text encodes to) is left out.
    /// </summary>
    public static ITokenizerModel Model(IReadOnlyList<byte[]> tokenBytes)
    {
        var text = new StringBuilder(tokenBytes.Count * 16);
        for (var id = 0; id < tokenBytes.Count; id++)
        {
            if (tokenBytes[id].Length > 0)
            {
                text.Append(Convert.ToBase64String(tokenBytes[id])).Append(' ').Append(id.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text.ToString()));
        var preTokenizer = new RegexPreTokenizer(new Regex(GenerationTokenizerLoader.Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), null);
        return new ByteLevelTokenizerModel(TiktokenTokenizer.Create(stream, preTokenizer, normalizer: null));
    }

    // Python's b64decode, which Whisper reads the file with, takes "=" as the empty token; Convert does not.
    private static bool TryBase64(string base64, out byte[] bytes)
    {
        if (base64.Trim('=').Length == 0)
        {
            bytes = [];
            return true;
        }

        var buffer = new byte[base64.Length];
        if (Convert.TryFromBase64String(base64, buffer, out var written))
        {
            bytes = buffer[..written];
            return true;
        }

        bytes = [];
        return false;
    }

    private static string Truncate(string line) => line.Length <= 60 ? line : line[..60] + "…";
}
