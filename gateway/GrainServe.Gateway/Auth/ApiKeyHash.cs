using System.Security.Cryptography;
using System.Text;

namespace GrainServe.Gateway.Auth;

/// <summary>Keys are kept and compared as SHA-256 hashes only, so the keys file and memory never hold a usable key.</summary>
internal static class ApiKeyHash
{
    public const int HexLength = SHA256.HashSizeInBytes * 2;

    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool IsHex(string? text) => text is { Length: HexLength } && text.All(Uri.IsHexDigit);

    public static byte[] Parse(string hex) => Convert.FromHexString(hex);

    // Every comparison reads all 32 bytes: how long it takes tells nothing about how much of a guess was right.
    public static bool AreEqual(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);
}
