namespace GrainServe.Generation;

/// <summary>
/// GPT-2's byte-to-character table (<c>bytes_to_unicode</c> in openai/gpt-2 encoder.py, the ByteLevel pre-tokenizer of
/// Hugging Face tokenizers): printable Latin-1 bytes stand for themselves, the other 68 bytes for U+0100 onwards, so a
/// byte-level BPE vocabulary entry is a string of these characters, one per byte.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly Dictionary<char, byte> CharToByte = Build();
    private static readonly char[] ByteToChar = CharToByte.OrderBy(p => p.Value).Select(p => p.Key).ToArray();

    /// <summary>The byte-level vocabulary form of a text: its UTF-8 bytes, each written as its character.</summary>
    public static string ToToken(string text) =>
        new(System.Text.Encoding.UTF8.GetBytes(text).Select(b => ByteToChar[b]).ToArray());

    /// <summary>The bytes a byte-level vocabulary entry stands for; a character outside the table stands for its own UTF-8.</summary>
    public static byte[] ToBytes(string token)
    {
        var bytes = new List<byte>(token.Length);
        foreach (var c in token)
        {
            if (CharToByte.TryGetValue(c, out var b))
            {
                bytes.Add(b);
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return [.. bytes];
    }

    private static Dictionary<char, byte> Build()
    {
        var table = new Dictionary<char, byte>(256);
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[(char)(printable ? b : next++)] = (byte)b;
        }

        return table;
    }
}
