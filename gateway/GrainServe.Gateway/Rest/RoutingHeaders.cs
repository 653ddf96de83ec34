using GrainServe.Generation;

namespace GrainServe.Gateway.Rest;

/// <summary>The HTTP headers the router reads (a traffic split's sticky header) and writes (the version that served).</summary>
internal static class RoutingHeaders
{
    /// <summary>Names the version that served the request, on every route's response, OpenAI's included.</summary>
    public const string ModelVersion = "x-model-version";

    /// <summary>Reads a request header by name (the first value), for the router.</summary>
    public static Func<string, string?> Of(HttpContext context) =>
        name => context.Request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>Sets <see cref="ModelVersion"/> unless the response has started or the version is unknown.</summary>
    public static void SetModelVersion(HttpContext context, string? version)
    {
        if (!string.IsNullOrEmpty(version) && !context.Response.HasStarted)
        {
            context.Response.Headers[ModelVersion] = version;
        }
    }

    /// <summary>Sets <see cref="ModelVersion"/> from a generation's first chunk.</summary>
    public static void SetModelVersion(HttpContext context, GenerateChunk chunk) => SetModelVersion(context, chunk.ModelVersion);
}
