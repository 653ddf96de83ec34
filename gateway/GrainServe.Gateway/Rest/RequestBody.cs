namespace GrainServe.Gateway.Rest;

/// <summary>Reads a request body whole, for the routes that parse it in one piece.</summary>
internal static class RequestBody
{
    /// <summary>The body's bytes (empty when it has none), in one buffer sized from Content-Length when it is given.</summary>
    /// <remarks>Kestrel enforces MaxRequestBodySize while this reads, throwing a 413 BadHttpRequestException.</remarks>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var length = request.ContentLength;
        using var buffer = new MemoryStream(length is > 0 and < int.MaxValue ? (int)length : 4096);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
