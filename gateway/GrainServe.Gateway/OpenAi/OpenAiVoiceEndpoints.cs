using System.Text.Json;
using System.Text.RegularExpressions;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Rest;
using GrainServe.Models;
using GrainServe.Speech;
using GrainServe.Speech.Audio;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// The voices of XTTS-style models: <c>POST /v1/audio/voices</c> (multipart <c>name</c>, <c>file</c> = reference audio,
/// <c>model</c>) has the model's instance encode the reference once and keeps the voice in the model's
/// <see cref="IVoiceRegistryGrain"/>; <c>GET /v1/audio/voices[?model=]</c> lists them; <c>DELETE
/// /v1/audio/voices/{name}[?model=]</c> removes one. A registered name is then a speech request's <c>voice</c>.
/// </summary>
internal static partial class OpenAiVoiceEndpoints
{
    private static readonly string[] Fields = ["name", "file", "model"];

    /// <summary>The built-in voice's names: an XTTS model speaks them with no registration, so none may be registered.</summary>
    private static readonly string[] BuiltInVoices = ["default", "alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage", "shimmer", "verse"];

    /// <summary>Maps the routes on the <c>/v1</c> group, under its OpenAI error boundary.</summary>
    public static void MapOpenAiVoiceEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/audio/voices", (HttpContext context) => RegisterAsync(context));
        v1.MapGet("/audio/voices", (HttpContext context) => ListAsync(context));
        v1.MapDelete("/audio/voices/{name}", (HttpContext context, string name) => DeleteAsync(context, name));
    }

    private static async Task RegisterAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            throw Invalid("the request must be multipart/form-data with \"name\", \"model\" and the reference audio as its \"file\" part");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            throw Invalid($"the multipart form cannot be read: {ex.Message}");
        }

        if (form.Keys.Concat(form.Files.Select(f => f.Name)).FirstOrDefault(k => !Fields.Contains(k)) is { } unknown)
        {
            throw Invalid($"unknown field '{unknown}'; this route takes {string.Join(", ", Fields)}");
        }

        var model = SingleValue.Of(form["model"], "model") is { Length: > 0 } m ? m : throw Invalid("\"model\" is required: the XTTS model the voice is for");
        ApiKeyIdentity.Demand(context, model);
        var name = SingleValue.Of(form["name"], "name") is { Length: > 0 } n ? n : throw Invalid("\"name\" is required: the voice's name");
        CheckName(name);
        var file = form.Files.GetFile("file") ?? throw Invalid("\"file\" is required: the reference audio (WAV, or a format the server's ffmpeg reads), as a multipart file part");
        if (file.Length > AudioLimits.DefaultMaxBytes)
        {
            throw new InferenceException(InferenceErrorCode.PayloadTooLarge, $"the reference audio is {file.Length} bytes; the most this route takes is {AudioLimits.DefaultMaxBytes} bytes (25 MiB)");
        }

        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        await RequireXttsAsync(dataPlane, model, context.RequestAborted);
        var registry = Registry(context, model);
        if ((await registry.List()).Any(v => v.Name == name))
        {
            await WriteErrorAsync(context, StatusCodes.Status409Conflict, $"model '{model}' already has a voice '{name}'; delete it first to register it again");
            return;
        }

        var audio = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(audio, context.RequestAborted);
        }

        var request = new InferenceRequest(null, null, [new InferTensor("reference_audio", InferDatatype.Bytes, [1], BytesElements.Pack([audio]))], null);
        var result = await dataPlane.InferAsync(model, request, RoutingHeaders.Of(context), context.RequestAborted);
        if (result.Error is { } error)
        {
            throw new InferenceException(error);
        }

        var outputs = result.Response!.Outputs;
        var voice = outputs.FirstOrDefault(o => o.Name == "voice") is { } v ? BytesElements.Unpack(v.Data).Single().ToArray()
            : throw new InferenceException(InferenceErrorCode.Internal, $"model '{model}' answered without a voice");
        var seconds = outputs.FirstOrDefault(o => o.Name == "reference_seconds") is { Data.Length: 8 } s ? BitConverter.ToDouble(s.Data) : 0;
        if (await registry.Add(name, voice, seconds) is not { } added)
        {
            await WriteErrorAsync(context, StatusCodes.Status409Conflict, $"model '{model}' already has a voice '{name}'; delete it first to register it again");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        await WriteAsync(context, w => WriteVoice(w, added));
    }

    private static async Task ListAsync(HttpContext context)
    {
        var models = await ModelsAsync(context, SingleValue.Of(context.Request.Query["model"], "model"));
        var voices = new List<VoiceSummary>();
        foreach (var model in models)
        {
            voices.AddRange(await Registry(context, model).List());
        }

        await WriteAsync(context, w =>
        {
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var voice in voices)
            {
                w.WriteStartObject();
                WriteVoice(w, voice);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task DeleteAsync(HttpContext context, string name)
    {
        foreach (var model in await ModelsAsync(context, SingleValue.Of(context.Request.Query["model"], "model")))
        {
            if (await Registry(context, model).Remove(name))
            {
                await WriteAsync(context, w =>
                {
                    w.WriteString("id", name);
                    w.WriteString("object", "audio.voice.deleted");
                    w.WriteString("model", model);
                    w.WriteBoolean("deleted", true);
                });
                return;
            }
        }

        await WriteErrorAsync(context, StatusCodes.Status404NotFound, $"no registered voice '{name}'");
    }

    // The XTTS models a listing or delete covers: the one named (checked to be one), else every XTTS model in the repository.
    private static async Task<IReadOnlyList<string>> ModelsAsync(HttpContext context, string? model)
    {
        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        if (model is { Length: > 0 })
        {
            ApiKeyIdentity.Demand(context, model);
            await RequireXttsAsync(dataPlane, model, context.RequestAborted);
            return [model];
        }

        var models = new List<string>();
        foreach (var entry in (await dataPlane.GetRepositoryIndexAsync(false, context.RequestAborted)).DistinctBy(e => e.Name))
        {
            try
            {
                if (ModelKinds.Of(await dataPlane.GetModelConfigAsync(entry.Name, null, context.RequestAborted)) == ModelKinds.TtsXtts
                    && ApiKeyIdentity.Allows(context, entry.Name))
                {
                    models.Add(entry.Name);
                }
            }
            catch (InferenceException)
            {
                // A model whose config cannot be read has no voices to show.
            }
        }

        return models;
    }

    private static async Task RequireXttsAsync(IInferenceDataPlane dataPlane, string model, CancellationToken cancellationToken)
    {
        var kind = ModelKinds.Of(await dataPlane.GetModelConfigAsync(model, null, cancellationToken));
        if (kind != ModelKinds.TtsXtts)
        {
            throw Invalid($"model '{model}' is a {kind} model; voices are registered for XTTS models (model_kind {ModelKinds.TtsXtts})");
        }
    }

    private static void CheckName(string name)
    {
        if (!VoiceName().IsMatch(name))
        {
            throw Invalid($"voice name '{name}' must be 1 to 64 letters, digits, '_', '-' or '.'");
        }

        if (BuiltInVoices.Contains(name))
        {
            throw Invalid($"'{name}' is the built-in voice's name; choose another");
        }
    }

    private static IVoiceRegistryGrain Registry(HttpContext context, string model) =>
        context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IVoiceRegistryGrain>(model);

    private static void WriteVoice(Utf8JsonWriter w, VoiceSummary voice)
    {
        w.WriteString("id", voice.Name);
        w.WriteString("object", "audio.voice");
        w.WriteString("name", voice.Name);
        w.WriteString("model", voice.Model);
        w.WriteNumber("created_at", voice.CreatedAt);
        w.WriteNumber("reference_seconds", Math.Round(voice.ReferenceSeconds, 3));
        w.WriteNumber("bytes", voice.Bytes);
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> body)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    // OpenAI's error body for the two outcomes InferenceErrorCode has no member for: a conflict and an unknown voice.
    private static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return WriteAsync(context, w =>
        {
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", "invalid_request_error");
            w.WriteNull("param");
            w.WriteString("code", status == StatusCodes.Status409Conflict ? "voice_exists" : "voice_not_found");
            w.WriteEndObject();
        });
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex VoiceName();
}
