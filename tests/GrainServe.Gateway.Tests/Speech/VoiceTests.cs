using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.ModelBuilder.Xtts;
using GrainServe.TestSupport;
using Grpc.Core;

namespace GrainServe.Gateway.Speech;

/// <summary>
/// The XTTS voices routes on the embedded gateway with the random-weight XTTS sample: a voice registered from
/// reference audio is listed, speaks over V2, and is gone once deleted; bad input is a 4xx in OpenAI's error shape.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class VoiceTests(GatewayFixture fixture)
{
    private static MultipartFormDataContent Form(string? name, byte[]? file, string? model = GatewayFixture.Xtts)
    {
        var form = new MultipartFormDataContent();
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }

        if (model is not null)
        {
            form.Add(new StringContent(model), "model");
        }

        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            form.Add(part, "file", "reference.wav");
        }

        return form;
    }

    private Task<HttpResponseMessage> SpeakAsync(string voice) => fixture.Http.PostAsJsonAsync(
        $"/v2/models/{GatewayFixture.Xtts}/infer",
        JsonNode.Parse($$"""
            {
              "inputs": [{ "name": "text", "shape": [1], "datatype": "BYTES", "data": ["Hello."] }],
              "parameters": { "voice": "{{voice}}", "max_codes": 25, "seed": 4 }
            }
            """));

    [Fact]
    public async Task Voices_RegisterListSpeakDelete_RoundTrip()
    {
        var name = $"voice_{Guid.NewGuid():N}"[..20];

        using var created = await fixture.Http.PostAsync("/v1/audio/voices", Form(name, XttsModel.ReferenceVoice(2, 210)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var voice = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(name, voice.GetProperty("name").GetString());
        Assert.Equal(GatewayFixture.Xtts, voice.GetProperty("model").GetString());
        Assert.Equal(2.0, voice.GetProperty("reference_seconds").GetDouble(), 2);

        using var duplicate = await fixture.Http.PostAsync("/v1/audio/voices", Form(name, XttsModel.ReferenceVoice(1, 300)));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        var listed = JsonDocument.Parse(await fixture.Http.GetStringAsync($"/v1/audio/voices?model={GatewayFixture.Xtts}")).RootElement;
        Assert.Contains(listed.GetProperty("data").EnumerateArray(), v => v.GetProperty("name").GetString() == name);

        using var spoken = await SpeakAsync(name);
        Assert.Equal(HttpStatusCode.OK, spoken.StatusCode);
        using var builtIn = await SpeakAsync("alloy");
        Assert.NotEqual(await builtIn.Content.ReadAsStringAsync(), await spoken.Content.ReadAsStringAsync());

        using var deleted = await fixture.Http.DeleteAsync($"/v1/audio/voices/{name}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var again = await fixture.Http.DeleteAsync($"/v1/audio/voices/{name}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("voice_not_found", JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());

        using var gone = await SpeakAsync(name);
        Assert.Equal(HttpStatusCode.BadRequest, gone.StatusCode);
    }

    [Theory]
    [InlineData(null, true, GatewayFixture.Xtts, "name")]
    [InlineData("fine", false, GatewayFixture.Xtts, "file")]
    [InlineData("has space", true, GatewayFixture.Xtts, "letters")]
    [InlineData("alloy", true, GatewayFixture.Xtts, "built-in")]
    [InlineData("fine", true, null, "model")]
    [InlineData("fine", true, GatewayFixture.Whisper, "XTTS")]
    public async Task Register_BadInput_Is400NamingTheProblem(string? name, bool withFile, string? model, string expected)
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/voices", Form(name, withFile ? XttsModel.ReferenceVoice(1, 200) : null, model));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Contains(expected, error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("de", HttpStatusCode.OK, null)]
    [InlineData("zh-CN", HttpStatusCode.OK, null)]
    [InlineData("tlh", HttpStatusCode.BadRequest, "language 'tlh' is not one this model's vocabulary has; use one of ar, cs, de, en, es")]
    public async Task Speech_Language_SpeaksInTheVocabularysOrIs400NamingThem(string language, HttpStatusCode status, string? message)
    {
        using var response = await fixture.Http.PostAsJsonAsync("/v1/audio/speech", new { model = GatewayFixture.Xtts, input = "Guten Tag.", voice = "alloy", response_format = "pcm", language });

        Assert.Equal(status, response.StatusCode);
        if (message is null)
        {
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 0);
        }
        else
        {
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Contains(message, error.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Register_FileThatIsNotAudio_Is400()
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/voices", Form("not_audio", "plain text"u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Speak_BuiltInVoice_CountsAudioSecondsOnTheMetricsPort()
    {
        using var spoken = await SpeakAsync("alloy");
        Assert.Equal(HttpStatusCode.OK, spoken.StatusCode);

        var metrics = await fixture.Http.GetStringAsync(new Uri(fixture.MetricsAddress, "metrics"));

        var lines = metrics.Split('\n').Where(l => l.Contains(GatewayFixture.Xtts, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Any(l => l.StartsWith("grainserve_audio_seconds{", StringComparison.Ordinal)), string.Join('\n', lines));
        Assert.True(lines.Any(l => l.StartsWith("grainserve_synthesis_real_time_factor_bucket{", StringComparison.Ordinal)), string.Join('\n', lines));
    }

    [Fact]
    public async Task ModelStreamInfer_Xtts_StreamsAStretchPerChunkThenAFinalResponse()
    {
        var request = new ModelInferRequest { ModelName = GatewayFixture.Xtts, Id = "xtts-stream" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "text", Datatype = "BYTES", Shape = { 1 },
            Contents = new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("Streamed as it is made.") } },
        });
        foreach (var (key, value) in new[] { ("voice", "alloy"), ("seed", "2"), ("max_codes", "60"), ("stream_chunk_size", "20") })
        {
            request.Parameters[key] = new InferParameter { StringParam = value };
        }

        using var call = fixture.Grpc.ModelStreamInfer();
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        var responses = new List<ModelStreamInferResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        Assert.All(responses, r => Assert.Equal("", r.ErrorMessage));
        var audio = responses.Where(r => r.InferResponse.Outputs.Any(o => o.Name == "audio" && o.Shape[0] > 0)).ToList();
        Assert.True(audio.Count >= 2, $"{audio.Count} audio responses");
        Assert.True(responses[^1].InferResponse.Parameters["triton_final_response"].BoolParam);
    }

    [Fact]
    public async Task Speak_UnknownVoice_Is400()
    {
        using var response = await SpeakAsync("nobody_registered_this");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("nobody_registered_this", await response.Content.ReadAsStringAsync());
    }
}
