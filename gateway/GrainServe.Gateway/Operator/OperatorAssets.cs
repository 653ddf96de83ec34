using System.Collections.Frozen;

namespace GrainServe.Gateway.Operator;

/// <summary>
/// The operator page's files (Operator/wwwroot, embedded in the gateway assembly): read once, served with their content
/// type and a Content-Security-Policy that lets the page load only itself and call only its own API.
/// </summary>
internal static class OperatorAssets
{
    /// <summary>
    /// Nothing from elsewhere, no inline script or style, no framing. Styles set from script through the CSSOM (the memory
    /// bars' widths) are not inline style and stay allowed.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ResourcePrefix = "GrainServe.Gateway.Operator.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, byte[]>> Files = new(Load);

    /// <summary>Answers <paramref name="name"/> (<c>index.html</c>, <c>operator.js</c>, <c>operator.css</c>, <c>favicon.svg</c>).</summary>
    public static Task WriteAsync(HttpContext context, string name)
    {
        var body = Files.Value[name];
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // The files change only with the gateway's version; revalidating each load keeps an upgraded gateway's page current.
        headers.CacheControl = "no-cache";
        context.Response.ContentType = ContentTypes[Path.GetExtension(name)];
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(OperatorAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[resource[ResourcePrefix.Length..]] = copy.ToArray();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
