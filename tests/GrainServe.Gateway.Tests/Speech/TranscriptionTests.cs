using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GrainServe.TestSupport;
using OpenAI;
using OpenAI.Audio;

namespace GrainServe.Gateway.Speech;

/// <summary>
/// OpenAI's speech-to-text routes driven by the official OpenAI client, and the same model over V2, on a small
/// random-weight Whisper model: the text means nothing, but every field, format and error is the real one.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TranscriptionTests(GatewayFixture fixture)
{
    private static readonly byte[] Speech = ToneWav.Create(2.0, 440);

    private AudioClient Client() =>
        new(GatewayFixture.Whisper, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Http.BaseAddress!, "/v1") });

    [Fact]
    public async Task OfficialClient_VerboseJson_GivesLanguageDurationAndTimedSegments()
    {
        var options = new AudioTranscriptionOptions
        {
            ResponseFormat = AudioTranscriptionFormat.Verbose,
            TimestampGranularities = AudioTimestampGranularities.Segment,
            Language = "en",
            Temperature = 0f,
        };

        AudioTranscription transcription = await Client().TranscribeAudioAsync(new MemoryStream(Speech), "speech.wav", options);

        Assert.Equal("english", transcription.Language);
        Assert.Equal(2.0, transcription.Duration!.Value.TotalSeconds, 2);
        Assert.NotEmpty(transcription.Segments);
        Assert.Equal(transcription.Text, string.Concat(transcription.Segments.Select(s => s.Text)).Trim());
        Assert.All(transcription.Segments, s => Assert.True(s.EndTime >= s.StartTime));
        Assert.All(transcription.Segments, s => Assert.False(s.TokenIds.IsEmpty));
    }

    [Fact]
    public async Task OfficialClient_OptimumLayoutOfTheSameModel_GivesTheSameSegmentsAndTokens()
    {
        var options = new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Verbose, Language = "en", Temperature = 0f };
        AudioClient Of(string model) => new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Http.BaseAddress!, "/v1") });

        AudioTranscription genai = await Of(GatewayFixture.Whisper).TranscribeAudioAsync(new MemoryStream(Speech), "speech.wav", options);
        AudioTranscription optimum = await Of(GatewayFixture.WhisperOptimum).TranscribeAudioAsync(new MemoryStream(Speech), "speech.wav", options);

        Assert.NotEmpty(genai.Segments);
        Assert.Equal(genai.Text, optimum.Text);
        Assert.Equal(
            genai.Segments.Select(s => string.Join(",", s.TokenIds.ToArray())),
            optimum.Segments.Select(s => string.Join(",", s.TokenIds.ToArray())));
    }

    [Fact]
    public async Task OfficialClient_Json_GivesTheSameTextAsVerboseJson()
    {
        var client = Client();
        var plain = await client.TranscribeAudioAsync(new MemoryStream(Speech), "speech.wav", new AudioTranscriptionOptions { Temperature = 0f });
        var verbose = await client.TranscribeAudioAsync(new MemoryStream(Speech), "speech.wav", new AudioTranscriptionOptions { ResponseFormat = AudioTranscriptionFormat.Verbose, Temperature = 0f });

        Assert.False(string.IsNullOrEmpty(plain.Value.Text));
        Assert.Equal(verbose.Value.Text, plain.Value.Text);
    }

    [Fact]
    public async Task OfficialClient_TranslationOnAnEnglishOnlyModel_Is400WithTheReason()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client().TranslateAudioAsync(new MemoryStream(Speech), "speech.wav"));

        Assert.Equal(400, error.Status);
        Assert.Contains("English-only", error.Message);
    }

    [Theory]
    [InlineData("srt", "text/plain", "1\n00:00:")]
    [InlineData("vtt", "text/plain", "WEBVTT\n\n")]
    [InlineData("json", "application/json", "{\"text\":")]
    public async Task ResponseFormat_IsWrittenAsOpenAiWritesIt(string format, string mediaType, string start)
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("response_format", format)));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith(start, body);
        Assert.Equal("1", response.Headers.GetValues("x-model-version").Single());
    }

    [Fact]
    public async Task ResponseFormatText_IsThePlainText()
    {
        using var json = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("response_format", "json")));
        using var text = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("response_format", "text")));

        var expected = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("text").GetString();
        Assert.Equal(expected, await text.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("language", "klingon", "unknown language 'klingon'")]
    [InlineData("response_format", "docx", "response_format is 'docx'")]
    [InlineData("stream", "maybe", "use true or false")]
    [InlineData("temperature", "7", "temperature must be a number from 0 to 1")]
    [InlineData("beam_size", "5", "unknown field 'beam_size'")]
    public async Task BadField_Is400WithOpenAisErrorShape(string field, string value, string message)
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form((field, value)));

        await AssertOpenAiError(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task Stream_SendsASegmentDeltaAtATimeThenTheWholeText()
    {
        using var plain = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("response_format", "text")));
        var expected = await plain.Content.ReadAsStringAsync();

        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("stream", "true")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync())
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .ToList();
        Assert.Equal("transcript.text.done", events[^1].GetProperty("type").GetString());
        Assert.All(events[..^1], e => Assert.Equal("transcript.text.delta", e.GetProperty("type").GetString()));
        Assert.NotEmpty(events[..^1]);
        Assert.Equal(expected, string.Concat(events[..^1].Select(e => e.GetProperty("delta").GetString())).Trim());
        Assert.Equal(expected, events[^1].GetProperty("text").GetString()!.Trim());
    }

    [Fact]
    public async Task Stream_OfAFormatThatCannotStream_Or_OfNotAudio_Is400BeforeAnyEvent()
    {
        using (var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("stream", "true"), ("response_format", "srt"))))
        {
            await AssertOpenAiError(response, HttpStatusCode.BadRequest, "cannot be streamed");
        }

        using (var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(new byte[16], ("stream", "true"))))
        {
            await AssertOpenAiError(response, HttpStatusCode.BadRequest, "not");
        }
    }

    [Fact]
    public async Task Metrics_CountEachWindowDecodeInVllmsNames()
    {
        // A 2 s clip is one window: with the fallback off and a token cap, exactly one decode of 6 sampled tokens.
        var parameters = new Dictionary<string, string> { ["max_tokens"] = "6", ["ignore_eos"] = "true", ["temperature_increment_on_fallback"] = "0", ["seed"] = "3" };
        var before = await QuietMetricsAsync();
        var result = await fixture.Grpc.ModelInferAsync(GrpcRequest(parameters));
        var after = await MetricsAsync();

        Assert.Equal(2, result.Outputs.Count);
        Assert.Equal(1, Value(after, "vllm:request_success_total", ",finished_reason=\"length\"") - Value(before, "vllm:request_success_total", ",finished_reason=\"length\""));
        Assert.Equal(6, Value(after, "vllm:generation_tokens_total") - Value(before, "vllm:generation_tokens_total"));
        Assert.Equal(0, Value(after, "vllm:num_requests_running"));
    }

    [Fact]
    public async Task OfficialClient_WordGranularity_GivesMonotonicWordsInsideTheSegments()
    {
        var options = new AudioTranscriptionOptions
        {
            ResponseFormat = AudioTranscriptionFormat.Verbose,
            TimestampGranularities = AudioTimestampGranularities.Word | AudioTimestampGranularities.Segment,
            Language = "en",
            Temperature = 0f,
        };

        AudioTranscription transcription = await Client().TranscribeAudioAsync(new MemoryStream(Speech), "speech.wav", options);

        var words = transcription.Words;
        var spoken = transcription.Segments.Where(s => s.Text.Length > 0).ToList();
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.True(w.StartTime <= w.EndTime, $"{w.Word}: {w.StartTime} > {w.EndTime}"));
        for (var i = 1; i < words.Count; i++)
        {
            Assert.True(words[i].StartTime >= words[i - 1].StartTime && words[i].EndTime >= words[i - 1].EndTime, $"word {i} goes back in time");
        }

        // verbose_json lists words apart from segments, so each is checked against the segment spans it could be in:
        // it must lie wholly inside one of them.
        Assert.All(words, w => Assert.Contains(spoken, s => s.StartTime <= w.StartTime && w.EndTime <= s.EndTime));
    }

    [Fact]
    public async Task ChunkingStrategyAuto_FiltersSilence_SoSilenceIsAnEmptyTranscriptOfItsLength()
    {
        var silence = ToneWav.Create(3.0, 0);
        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(silence, ("response_format", "verbose_json"), ("chunking_strategy", "auto")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("", body.RootElement.GetProperty("text").GetString());
        Assert.Equal(3.0, body.RootElement.GetProperty("duration").GetDouble(), 2);
        Assert.Empty(body.RootElement.GetProperty("segments").EnumerateArray());
    }

    [Theory]
    [InlineData("sometimes", "use \"auto\"")]
    [InlineData("""{"type":"client_vad"}""", "\"type\" is \"server_vad\"")]
    [InlineData("""{"type":"server_vad","threshold":"high"}""", "threshold must be a number")]
    [InlineData("""{"type":"server_vad","threshold":1.5}""", "vad_threshold must be a number from 0.01 to 0.99")]
    public async Task ChunkingStrategy_Bad_Is400NamingIt(string value, string expected)
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(("chunking_strategy", value)));

        await AssertOpenAiError(response, HttpStatusCode.BadRequest, expected);
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0, 0, 0, 0, 0, 0, 0, 0 }, "not")]
    public async Task NotAudio_Is400NamingIt(byte[] file, string words)
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", Form(file));

        await AssertOpenAiError(response, HttpStatusCode.BadRequest, words);
    }

    [Fact]
    public async Task MissingFileOrModel_Or_NotMultipart_Is400()
    {
        var noFile = new MultipartFormDataContent { { new StringContent(GatewayFixture.Whisper), "model" } };
        using (var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", noFile))
        {
            await AssertOpenAiError(response, HttpStatusCode.BadRequest, "\"file\" is required");
        }

        var noModel = new MultipartFormDataContent { { new ByteArrayContent(Speech), "file", "speech.wav" } };
        using (var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", noModel))
        {
            await AssertOpenAiError(response, HttpStatusCode.BadRequest, "\"model\" is required");
        }

        using (var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            await AssertOpenAiError(response, HttpStatusCode.BadRequest, "multipart/form-data");
        }
    }

    [Fact]
    public async Task UnknownModel_Is404()
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Speech), "file", "speech.wav" }, { new StringContent("no_such_whisper"), "model" } };

        using var response = await fixture.Http.PostAsync("/v1/audio/transcriptions", form);

        await AssertOpenAiError(response, HttpStatusCode.NotFound, "no_such_whisper");
    }

    [Fact]
    public async Task V2Rest_BinaryAudioWithParameters_AnswersTextAndVerboseJson()
    {
        var blob = new byte[4 + Speech.Length];
        BitConverter.TryWriteBytes(blob, Speech.Length);
        Speech.CopyTo(blob, 4);
        var header = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            inputs = new[] { new { name = "audio", shape = new[] { 1 }, datatype = "BYTES", parameters = new { binary_data_size = blob.Length } } },
            parameters = new { language = "en", response_format = "vtt", seed = 5 },
        }));
        var content = new ByteArrayContent([.. header, .. blob]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await fixture.Http.PostAsync($"/v2/models/{GatewayFixture.Whisper}/infer", content);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var outputs = JsonDocument.Parse(body).RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.StartsWith("WEBVTT", outputs["text"].GetProperty("data")[0].GetString());
        var verbose = JsonDocument.Parse(outputs["verbose_json"].GetProperty("data")[0].GetString()!).RootElement;
        Assert.Equal(2.0, verbose.GetProperty("duration").GetDouble(), 2);
    }

    [Fact]
    public async Task V2Grpc_ParametersReachTheModel()
    {
        var request = new Grpc.Protocol.ModelInferRequest { ModelName = GatewayFixture.Whisper };
        request.Inputs.Add(new Grpc.Protocol.ModelInferRequest.Types.InferInputTensor { Name = "audio", Datatype = "BYTES", Shape = { 1 } });
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom([.. BitConverter.GetBytes(Speech.Length), .. Speech]));
        request.Parameters["language"] = new Grpc.Protocol.InferParameter { StringParam = "de" };

        var error = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await fixture.Grpc.ModelInferAsync(request));
        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("English-only", error.Status.Detail);

        request.Parameters["language"] = new Grpc.Protocol.InferParameter { StringParam = "en" };
        var response = await fixture.Grpc.ModelInferAsync(request);
        Assert.Equal(["text", "verbose_json"], response.Outputs.Select(o => o.Name));
        Assert.True(response.RawOutputContents[0].Length > 4);
    }

    private static Grpc.Protocol.ModelInferRequest GrpcRequest(Dictionary<string, string> parameters)
    {
        var request = new Grpc.Protocol.ModelInferRequest { ModelName = GatewayFixture.Whisper };
        request.Inputs.Add(new Grpc.Protocol.ModelInferRequest.Types.InferInputTensor { Name = "audio", Datatype = "BYTES", Shape = { 1 } });
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom([.. BitConverter.GetBytes(Speech.Length), .. Speech]));
        foreach (var (name, value) in parameters)
        {
            request.Parameters[name] = new Grpc.Protocol.InferParameter { StringParam = value };
        }

        return request;
    }

    private Task<string> MetricsAsync() => new HttpClient().GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics");

    // The counters once no decode of the model is running or waiting: a request another test gave up on (the fuzz test's
    // timeouts) may still be decoding, and would count in this test's deltas.
    private async Task<string> QuietMetricsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var metrics = await MetricsAsync();
            if ((Value(metrics, "vllm:num_requests_running") == 0 && Value(metrics, "vllm:num_requests_waiting") == 0) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(100);
        }
    }

    private static double Value(string metrics, string family, string labels = "")
    {
        var prefix = $"{family}{{model_name=\"{GatewayFixture.Whisper}\",silo=\"rest-test\"{labels}}} ";
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static MultipartFormDataContent Form(params (string Name, string Value)[] fields) => Form(Speech, fields);

    private static MultipartFormDataContent Form(byte[] file, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file), "file", "speech.wav" },
            { new StringContent(GatewayFixture.Whisper), "model" },
        };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    private static async Task AssertOpenAiError(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }
}
