namespace GrainServe.Gateway.Fuzz;

/// <summary>The replacements mutations draw from: the values a careless or hostile client sends.</summary>
internal static class FuzzValues
{
    /// <summary>Raw JSON fragments, written as they are (so that lone surrogate escapes and over-deep nesting reach the server unchanged).</summary>
    public static readonly string[] Json =
    [
        "null", "true", "false", "\"x\"", "\"\"", "0", "-1", "1.5", "-0", "1e308", "1e400", "-1e400", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
        "\"12\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        // Lone UTF-16 surrogate escapes: the answers of 500 the issue reports came from these.
        "\"\\udcff\"", "\"\\ud800\"", "\"a\\ud800b\"", "\"\\udc00\\ud800\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"",
        "[]", "{}", "[-1]", "[0]", "[9223372036854775807,9223372036854775807]", "[4294967296,4294967296,4294967296]", "[1,2,3]", "[\"1\"]",
        "[\"\\udcff\"]", "[\"\\ud800\",\"ok\"]", "{\"\\ud800\":1}", "{\"a\":{\"b\":{\"c\":\"\\udcff\"}}}", "{\"x\":\"\\udcff\"}",
        "[{\"role\":\"user\",\"content\":\"\\ud800\"}]", "[{\"type\":\"text\",\"text\":\"\\udcff\"}]",
        "\"" + new string('x', 200_000) + "\"",
        new string('[', 300) + new string(']', 300),
        new string('[', 20_000) + new string(']', 20_000),
        string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000),
    ];

    /// <summary>Property names, raw JSON strings.</summary>
    public static readonly string[] Names =
        ["\"\\udcff\"", "\"\\ud800\"", "\"\"", "\"inputs\"", "\"INPUT0\"", "\"data\"", "\"parameters\"", "\"model\"", "\"x\"", "\"" + new string('n', 1000) + "\""];

    /// <summary>Bytes inserted into a body: invalid UTF-8 (an overlong NUL, an encoded surrogate, past U+10FFFF), escapes, stray structure.</summary>
    public static readonly byte[][] Bytes =
    [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00],
        "\""u8.ToArray(), "\\"u8.ToArray(), "\\u"u8.ToArray(), "\\udcff"u8.ToArray(), "{"u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), "\r\n"u8.ToArray(),
    ];

    /// <summary>Content types; null sends none.</summary>
    public static readonly string?[] ContentTypes =
    [
        null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "application/json; charset=utf-16",
        "application/octet-stream", "garbage", "application/json; boundary=\"",
    ];

    /// <summary><c>Inference-Header-Content-Length</c> values; the ones in braces are relative to the body's length.</summary>
    public static readonly string[] HeaderLengths = ["-1", "0", "1", "{len-1}", "{len}", "{len+1}", "{len*2}", "2147483648", "99999999999999999999", "abc", " 5", ""];

    /// <summary>Path segments that name no model: unknown names, odd escapes, a very long name, a climb up the tree.</summary>
    public static readonly string[] PathSegments =
        ["no_such_model", "%ff%fe", "%ed%a0%80", "%00", "%2e%2e%2f%2e%2e", new string('a', 3000), "-1", "99999999999999999999", "simple%20", "%25", "%22%7b"];

    /// <summary>Methods a route may not take.</summary>
    public static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
}
