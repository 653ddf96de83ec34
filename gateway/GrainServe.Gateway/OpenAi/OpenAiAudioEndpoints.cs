using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Rest;
using GrainServe.Generation;
using GrainServe.Speech.Audio;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// OpenAI's speech-to-text routes, <c>POST /v1/audio/transcriptions</c> and <c>POST /v1/audio/translations</c>: a
/// multipart form with the audio <c>file</c> and the options, answered in the <c>response_format</c> asked for. The form
/// becomes the Whisper model's V2 request (the file as its BYTES input, the options as parameters), so both protocols
/// share one data path and one set of checks.
/// </summary>
internal static class OpenAiAudioEndpoints
{
    /// <summary>The form fields the transcription route takes.</summary>
    private static readonly string[] TranscriptionFields = ["file", "model", "language", "prompt", "response_format", "temperature", "timestamp_granularities[]", "timestamp_granularities", "stream", "chunking_strategy", "include[]"];

    /// <summary>The form fields the translation route takes (OpenAI's translations have no language: the output is English).</summary>
    private static readonly string[] TranslationFields = ["file", "model", "prompt", "response_format", "temperature"];

    /// <summary>Maps the routes on the <c>/v1</c> group, under its OpenAI error boundary.</summary>
    public static void MapOpenAiAudioEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/audio/transcriptions", (HttpContext context) => TranscribeAsync(context, translate: false));
        v1.MapPost("/audio/translations", (HttpContext context) => TranscribeAsync(context, translate: true));
    }

    private static async Task TranscribeAsync(HttpContext context, bool translate)
    {
        var form = await ReadFormAsync(context);
        var allowed = translate ? TranslationFields : TranscriptionFields;
        if (form.Keys.Concat(form.Files.Select(f => f.Name)).FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            throw Invalid($"unknown field '{unknown}'; this route takes {string.Join(", ", allowed.Where(f => !f.EndsWith(']')))}");
        }

        var model = Single(form, "model") is { Length: > 0 } name ? name : throw Invalid("\"model\" is required: the Whisper model's name");
        ApiKeyIdentity.Demand(context, model);
        var file = form.Files.GetFile("file") ?? throw Invalid("\"file\" is required: the audio file, as a multipart file part");
        if (file.Length > AudioLimits.DefaultMaxBytes)
        {
            throw new InferenceException(InferenceErrorCode.PayloadTooLarge, $"the audio file is {file.Length} bytes; the most this route takes is {AudioLimits.DefaultMaxBytes} bytes (25 MiB)");
        }

        var stream = Single(form, "stream") switch
        {
            null or "false" or "False" => false,
            "true" or "True" => true,
            var other => throw Invalid($"\"stream\" is '{other}'; use true or false"),
        };
        var format = Single(form, "response_format") ?? "json";
        if (stream && format is not ("json" or "text"))
        {
            throw Invalid($"a streamed transcription sends text events; response_format '{format}' cannot be streamed (use json or text, or leave out stream)");
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["response_format"] = format };
        if (translate)
        {
            parameters["task"] = "translate";
        }

        foreach (var field in new[] { "language", "prompt", "temperature" })
        {
            if (Single(form, field) is { Length: > 0 } value)
            {
                parameters[field] = value;
            }
        }

        if (!translate && Single(form, "chunking_strategy") is { Length: > 0 } chunking)
        {
            ChunkingStrategy.Apply(chunking, parameters);
        }

        var granularities = form["timestamp_granularities[]"].Concat(form["timestamp_granularities"]).OfType<string>().ToArray();
        if (granularities.Length > 0)
        {
            if (format != "verbose_json")
            {
                throw Invalid("timestamp_granularities needs response_format verbose_json");
            }

            parameters["timestamp_granularities"] = string.Join(",", granularities);
        }

        // The file is read straight into its one-element BYTES layout (length, then bytes): one copy, not two.
        var packed = new byte[4 + file.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(packed, (uint)file.Length);
        await using (var body = file.OpenReadStream())
        {
            await body.ReadExactlyAsync(packed.AsMemory(4), context.RequestAborted);
        }

        var input = new InferTensor("audio", InferDatatype.Bytes, [1], packed);
        var request = new InferenceRequest(null, null, [input], ["text"]) { Parameters = parameters, Deadline = DeadlineHeader.Read(context) };
        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        if (stream)
        {
            await StreamAsync(context, dataPlane, model, request);
            return;
        }

        var result = await dataPlane.InferAsync(model, request, RoutingHeaders.Of(context), context.RequestAborted);
        if (result.Error is { } error)
        {
            throw new InferenceException(error);
        }

        RoutingHeaders.SetModelVersion(context, result.Response!.ModelVersion);
        var text = result.Response.Outputs.FirstOrDefault(o => o.Name == "text") is { } output && BytesElements.Unpack(output.Data).FirstOrDefault() is var element
            ? Encoding.UTF8.GetString(element.Span)
            : throw new InferenceException(InferenceErrorCode.Internal, $"model '{model}' answered without a text output; is it a Whisper model?");
        context.Response.ContentType = format is "json" or "verbose_json" ? "application/json" : "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    // OpenAI's streamed transcription: transcript.text.delta events as Whisper finishes each segment, then
    // transcript.text.done with the whole text. A request the model refuses is answered with its error status, never
    // as a stream that fails; a failure after the first event ends the stream with an error event.
    private static async Task StreamAsync(HttpContext context, IInferenceDataPlane dataPlane, string model, InferenceRequest request)
    {
        var cancel = context.RequestAborted;
        await using var chunks = dataPlane.GenerateAsync(model, new GenerateRequest { Inputs = request, Deadline = request.Deadline }, RoutingHeaders.Of(context), cancel).GetAsyncEnumerator(cancel);
        if (!await chunks.MoveNextAsync())
        {
            throw new InferenceException(InferenceErrorCode.Internal, $"model '{model}' ended the transcription without an answer");
        }

        if (chunks.Current.Error is { } first)
        {
            throw new InferenceException(first);
        }

        RoutingHeaders.SetModelVersion(context, chunks.Current);
        var events = new ServerSentEvents(context.Response);
        await events.StartAsync(cancel);
        var text = new StringBuilder();
        do
        {
            var chunk = chunks.Current;
            if (chunk.Error is { } error)
            {
                await events.WriteAsync(w => OpenAiStreamError.Write(w, error.Message), cancel);
                return;
            }

            if (chunk.Text.Length > 0)
            {
                text.Append(chunk.Text);
                await events.WriteAsync(w => WriteEvent(w, "transcript.text.delta", "delta", chunk.Text), cancel);
            }

            if (chunk.FinishReason is not null)
            {
                await events.WriteAsync(w => WriteEvent(w, "transcript.text.done", "text", text.ToString()), cancel);
                return;
            }
        }
        while (await chunks.MoveNextAsync());

        await events.WriteAsync(w => OpenAiStreamError.Write(w, $"model '{model}' ended the transcription without finishing it"), cancel);
    }

    private static void WriteEvent(Utf8JsonWriter writer, string type, string field, string value)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteString(field, value);
        writer.WriteEndObject();
    }


    private static async Task<IFormCollection> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            throw Invalid("the request must be multipart/form-data with the audio as its \"file\" part");
        }

        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            throw Invalid($"the multipart form cannot be read: {ex.Message}");
        }
    }

    private static string? Single(IFormCollection form, string field) => SingleValue.Of(form[field], field);

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
