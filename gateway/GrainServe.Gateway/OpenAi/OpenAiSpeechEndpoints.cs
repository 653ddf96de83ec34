using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Rest;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// OpenAI's text-to-speech route, <c>POST /v1/audio/speech</c>: the body becomes the voice model's V2 request (the
/// text as its BYTES input, voice, speed and instructions as parameters) on the streaming data path, and each stretch
/// of audio the model makes is encoded and sent at once: as chunked bytes of the <c>response_format</c>
/// (<c>stream_format: "audio"</c>), or as <c>speech.audio.delta</c> events ending with <c>speech.audio.done</c>
/// (<c>"sse"</c>).
/// </summary>
internal static class OpenAiSpeechEndpoints
{
    private static readonly SpeechEncoders Default = new();

    /// <summary>Maps the route on the <c>/v1</c> group, under its OpenAI error boundary.</summary>
    public static void MapOpenAiSpeechEndpoints(this RouteGroupBuilder v1) =>
        v1.MapPost("/audio/speech", (HttpContext context) => SpeakAsync(context));

    private static async Task SpeakAsync(HttpContext context)
    {
        OpenAiSpeechRequest call;
        using (var document = await JsonFields.ReadObjectAsync(context.Request, context.RequestAborted))
        {
            call = OpenAiSpeechRequest.Read(document.RootElement);
        }

        ApiKeyIdentity.Demand(context, call.Model);
        var encoders = context.RequestServices.GetService<SpeechEncoders>() ?? Default;
        encoders.Check(call.Format);

        var text = new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes(call.Input)]));
        var request = new InferenceRequest(null, null, [text], null) { Parameters = call.Parameters() };
        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        var cancel = context.RequestAborted;
        await using var chunks = dataPlane.GenerateAsync(call.Model, new GenerateRequest { Inputs = request }, RoutingHeaders.Of(context), cancel).GetAsyncEnumerator(cancel);

        // The first chunk decides between an error status and a 200: a request the model refuses (its voice, its
        // length) is answered like any other error, never as audio that fails.
        if (!await chunks.MoveNextAsync())
        {
            throw new InferenceException(InferenceErrorCode.Internal, $"model '{call.Model}' ended the synthesis without an answer");
        }

        if (chunks.Current.Error is { } first)
        {
            throw new InferenceException(first);
        }

        if (chunks.Current.SampleRate <= 0)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"model '{call.Model}' is not a text-to-speech model: it answered without audio");
        }

        RoutingHeaders.SetModelVersion(context, chunks.Current);
        if (call.Sse)
        {
            await StreamEventsAsync(context, call, encoders, chunks);
        }
        else
        {
            await StreamAudioAsync(context, call, encoders, chunks);
        }
    }

    // Chunked bytes of the format. After the headers have left, a failure can only cut the response short: the
    // connection is aborted, so a client never takes a truncated file for a whole one.
    private static async Task StreamAudioAsync(HttpContext context, OpenAiSpeechRequest call, SpeechEncoders encoders, IAsyncEnumerator<GenerateChunk> chunks)
    {
        var response = context.Response;
        var cancel = context.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = SpeechFormats.MediaType(call.Format);
        response.Headers["X-Accel-Buffering"] = "no";
        await using var encoder = encoders.Create(call.Format, chunks.Current.SampleRate, async bytes =>
        {
            await response.Body.WriteAsync(bytes, cancel);
            await response.Body.FlushAsync(cancel);
        });
        var (_, error) = await EncodeAsync(encoder, chunks);
        if (error is not null)
        {
            context.Abort();
            return;
        }

        await encoder.CompleteAsync();
    }

    // OpenAI's speech events: each encoded stretch base64 in a speech.audio.delta, then speech.audio.done with the usage.
    private static async Task StreamEventsAsync(HttpContext context, OpenAiSpeechRequest call, SpeechEncoders encoders, IAsyncEnumerator<GenerateChunk> chunks)
    {
        var cancel = context.RequestAborted;
        var events = new ServerSentEvents(context.Response);
        await events.StartAsync(cancel);
        var sampleRate = chunks.Current.SampleRate;
        await using var encoder = encoders.Create(call.Format, sampleRate, bytes =>
        {
            var audio = Convert.ToBase64String(bytes.Span);
            return new ValueTask(events.WriteAsync(w => WriteDelta(w, audio), cancel));
        });
        var (samples, error) = await EncodeAsync(encoder, chunks);
        if (error is not null)
        {
            await events.WriteAsync(w => OpenAiStreamError.Write(w, error.Message), cancel);
            return;
        }

        await encoder.CompleteAsync();
        await events.WriteAsync(w => WriteDone(w, call.Input.Length, Frames(samples, sampleRate)), cancel);
    }

    // Feeds every chunk's audio to the encoder, the current (first) one included; the samples fed, or the error that ended it.
    private static async Task<(long Samples, InferenceError? Error)> EncodeAsync(SpeechEncoder encoder, IAsyncEnumerator<GenerateChunk> chunks)
    {
        long samples = 0;
        do
        {
            var chunk = chunks.Current;
            if (chunk.Error is { } error)
            {
                return (samples, error);
            }

            if (chunk.Audio.Length > 0)
            {
                var audio = MemoryMarshal.Cast<byte, float>(chunk.Audio).ToArray();
                samples += audio.Length;
                await encoder.WriteAsync(audio);
            }

            if (chunk.FinishReason is not null)
            {
                return (samples, null);
            }
        }
        while (await chunks.MoveNextAsync());

        return (samples, new InferenceError(InferenceErrorCode.Internal, "the model ended the synthesis without finishing it"));
    }

    // OpenAI counts audio out in tokens; a voice here has none, so usage counts 20 ms frames of audio (and input
    // characters for input tokens), the same for every kind. README: "Text to speech".
    private static long Frames(long samples, int sampleRate) => (samples * 50 + sampleRate - 1) / sampleRate;

    private static void WriteDelta(Utf8JsonWriter writer, string audio)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "speech.audio.delta");
        writer.WriteString("audio", audio);
        writer.WriteEndObject();
    }

    private static void WriteDone(Utf8JsonWriter writer, long inputTokens, long outputTokens)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "speech.audio.done");
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", inputTokens);
        writer.WriteNumber("output_tokens", outputTokens);
        writer.WriteNumber("total_tokens", inputTokens + outputTokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
