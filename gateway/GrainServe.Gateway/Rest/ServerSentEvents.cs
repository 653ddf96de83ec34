using System.Buffers;
using System.Text;
using System.Text.Json;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// Writes server-sent events (<c>text/event-stream</c>): one <c>data:</c> line of JSON per event, flushed at once so a
/// token reaches the client when it is produced, not when a buffer fills.
/// </summary>
internal sealed class ServerSentEvents(HttpResponse response)
{
    private static readonly byte[] Prefix = "data: "u8.ToArray();
    private static readonly byte[] Suffix = "\n\n"u8.ToArray();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    /// <summary>Sends the response's headers: 200, the event-stream type, and no caching or proxy buffering.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one event whose data is the JSON that <paramref name="write"/> writes.</summary>
    public async Task WriteAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        _buffer.Write(Prefix);
        using (var writer = new Utf8JsonWriter(_buffer, ProtocolJson.WriterOptions))
        {
            write(writer);
        }

        _buffer.Write(Suffix);
        await response.Body.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Writes a raw data line, such as OpenAI's <c>[DONE]</c>.</summary>
    public async Task WriteRawAsync(string data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
