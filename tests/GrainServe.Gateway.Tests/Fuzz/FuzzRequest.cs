using System.Text;

namespace GrainServe.Gateway.Fuzz;

/// <summary>One HTTP request as the fuzz test sends it, and as it prints when it fails (the shrunk input CsCheck reports).</summary>
internal sealed record FuzzRequest(string Method, string Path, string? ContentType, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body)
{
    /// <summary>The seed and the mutations that made it, for the report.</summary>
    public string Origin { get; init; } = "";

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.Remove("Content-Type");
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (message.Content is null || !message.Content.Headers.TryAddWithoutValidation(name, value))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    public override string ToString()
    {
        var text = new StringBuilder($"{Method} {Shorten(Path, 300)} from {Shorten(Origin, 500)}");
        text.Append(" Content-Type: ").Append(ContentType ?? "(none)");
        foreach (var (name, value) in Headers)
        {
            text.Append($"; {name}: {value}");
        }

        if (Body is not null)
        {
            text.Append($"\n{Body.Length} bytes: ").Append(Shorten(Printable(Body), 2000));
        }

        return text.ToString();
    }

    /// <summary>The bytes as UTF-8 where they are valid, each invalid byte as \xNN.</summary>
    public static string Printable(byte[] bytes)
    {
        var text = new StringBuilder();
        var decoder = new UTF8Encoding(false, true);
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] < 0x80)
            {
                continue;
            }

            // Decode ASCII runs directly and anything else one sequence at a time.
            text.Append(Encoding.ASCII.GetString(bytes, start, i - start));
            if (i == bytes.Length)
            {
                break;
            }

            var length = bytes[i] >= 0xF0 ? 4 : bytes[i] >= 0xE0 ? 3 : bytes[i] >= 0xC0 ? 2 : 1;
            try
            {
                text.Append(decoder.GetString(bytes, i, Math.Min(length, bytes.Length - i)));
                i += length - 1;
            }
            catch (DecoderFallbackException)
            {
                text.Append($"\\x{bytes[i]:X2}");
            }

            start = i + 1;
        }

        return text.ToString();
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : $"{text[..max]}… ({text.Length} chars)";
}
