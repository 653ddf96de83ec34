using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// Sends one fuzzed request and judges the answer: no 5xx but a 503 with Retry-After (a full queue, a model not ready),
/// every error body JSON with an "error" member, an answer within <see cref="Timeout"/>, and a connection that is not dropped.
/// </summary>
internal sealed class RestVerdict(HttpClient http)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>How many answers had each status, for the log: a pass that never got past the parser would show only 400s.</summary>
    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    /// <summary>The slowest answer's seconds, for the log.</summary>
    public double SlowestSeconds { get; private set; }

    public async Task CheckAsync(FuzzRequest request)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(Timeout);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            using var message = request.ToMessage();
            response = await http.SendAsync(message, timeout.Token);
            body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"no answer within {Timeout.TotalSeconds} s");
        }

        using (response)
        {
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            SlowestSeconds = Math.Max(SlowestSeconds, seconds);
            var status = (int)response.StatusCode;
            Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var retryable = response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null;
            if (status >= 500 && !retryable)
            {
                throw new Xunit.Sdk.XunitException($"answered {status}: {FuzzRequest.Printable(body)}");
            }

            // Kestrel refuses a path with a NUL (%00) itself, before any middleware: its bare 400 is no code of the server's.
            if (status == 400 && body.Length == 0 && request.Path.Contains("%00", StringComparison.Ordinal))
            {
                return;
            }

            if (status >= 400 && !IsErrorBody(body))
            {
                throw new Xunit.Sdk.XunitException($"answered {status} with a body that is not the protocol's JSON error: '{FuzzRequest.Printable(body)}'");
            }
        }
    }

    // V2's {"error": "message"} and OpenAI's {"error": {"message": ...}} both qualify.
    private static bool IsErrorBody(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind is JsonValueKind.String or JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
