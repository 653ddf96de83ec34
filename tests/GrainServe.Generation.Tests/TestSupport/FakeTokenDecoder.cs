using System.Text;

namespace GrainServe.Generation.TestSupport;

/// <summary>
/// A byte-level decoder over the fake model's 50 tokens: 0 is "&lt;/s&gt;" and 1 is "&lt;s&gt;" (special), 2 to 47 are one
/// ASCII character each, and 48 and 49 are the two bytes of "é", so that character spans two tokens and a run that
/// ends after 48 decodes to U+FFFD.
/// </summary>
public sealed class FakeTokenDecoder : ITokenDecoder
{
    public const string Characters = "abcdefghijklmnopqrstuvwxyz0123456789 .,!?-:;'\"";
    public const int Eos = 0;
    public const int Bos = 1;
    public const int AccentLead = 48;
    public const int AccentTrail = 49;

    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            switch (token)
            {
                case Eos or Bos when skipSpecialTokens:
                    break;
                case Eos:
                    bytes.AddRange("</s>"u8.ToArray());
                    break;
                case Bos:
                    bytes.AddRange("<s>"u8.ToArray());
                    break;
                case AccentLead:
                    bytes.Add(0xC3);
                    break;
                case AccentTrail:
                    bytes.Add(0xA9);
                    break;
                default:
                    bytes.Add((byte)Characters[token - 2]);
                    break;
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    public bool IsSpecial(int token) => token is Eos or Bos;

    /// <summary>The tokens of an ASCII text, one per character.</summary>
    public static int[] Encode(string text) => [.. text.Select(c => Characters.IndexOf(c) + 2)];
}
