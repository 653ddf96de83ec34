using System.Buffers.Binary;
using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.OpenAi;
using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Piper;
using GrainServe.Telemetry;
using GrainServe.TestSupport;
using OpenAI;
using OpenAI.Audio;

namespace GrainServe.Gateway.Speech;

/// <summary>
/// OpenAI's speech route driven by the official OpenAI client and by plain HTTP, on the sample Piper voice (random
/// weights, so noise, but Piper's phonemes, ids and lengths): every format decoded back by ffmpeg, streaming measured,
/// every bad input's status and message.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SpeechTests(GatewayFixture fixture)
{
    private const string Voice = SampleRepository.TinyPiperName;
    private const string Text = "Hello there, my friend. How are you today?";

    private AudioClient Client() =>
        new(Voice, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Http.BaseAddress!, "/v1") });

    [Fact]
    public async Task OfficialClient_Wav_IsAStreamedWavHeaderThenTheVoicesSamples()
    {
        var expected = await V2SampleCountAsync(Text);

        BinaryData speech = await Client().GenerateSpeechAsync(Text, GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav });

        var wav = speech.ToArray();
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(wav, 8, 4));
        Assert.Equal(WavSpeechEncoder.UnknownSize, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22)));
        Assert.Equal(PiperVoiceModel.SampleRate, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        Assert.Equal("data", Encoding.ASCII.GetString(wav, 36, 4));
        Assert.Equal(44 + 2 * expected, wav.Length);

        Assert.Equal(("wav", "pcm_s16le", PiperVoiceModel.SampleRate, 1), AudioProbe.Probe(wav));
        Assert.Equal(expected / (double)PiperVoiceModel.SampleRate, AudioProbe.DecodedSeconds(wav, PiperVoiceModel.SampleRate), 3);
    }

    [Fact]
    public async Task OfficialClient_Speed_ShortensAndLengthensTheAudio()
    {
        var client = Client();
        async Task<int> Length(float speed) =>
            (await client.GenerateSpeechAsync(Text, GeneratedSpeechVoice.Echo, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav, SpeedRatio = speed })).Value.ToArray().Length - 44;

        var normal = await Length(1f);

        // The sample's durations are ⌈8 / speed⌉ frames per id: exactly half at twice the speed, twice at half.
        Assert.Equal(normal / 2, await Length(2f));
        Assert.Equal(normal * 2, await Length(0.5f));
    }

    [Fact]
    public async Task OfficialClient_DefaultFormat_IsMp3()
    {
        BinaryData speech = await Client().GenerateSpeechAsync(Text, GeneratedSpeechVoice.Nova);

        var (container, codec, rate, channels) = AudioProbe.Probe(speech.ToArray());
        Assert.Equal(("mp3", "mp3", PiperVoiceModel.SampleRate, 1), (container, codec, rate, channels));
    }

    [Theory]
    [InlineData("mp3", "mp3", "mp3", 22050, "audio/mpeg")]
    [InlineData("opus", "ogg", "opus", 48000, "audio/ogg")]
    [InlineData("flac", "flac", "flac", 22050, "audio/flac")]
    [InlineData("aac", "aac", "aac", 22050, "audio/aac")]
    public async Task FfmpegFormat_DecodesBack_WithTheDurationAndRate(string format, string container, string codec, int rate, string mediaType)
    {
        var seconds = await V2SampleCountAsync(Text) / (double)PiperVoiceModel.SampleRate;

        using var response = await PostAsync(new { model = Voice, input = Text, voice = "alloy", response_format = format });

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(body));
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal((container, codec, rate, 1), AudioProbe.Probe(body));
        // Lossy encoders pad a frame or two (mp3's 1152 samples, AAC's 1024 priming samples): within 0.1 s.
        Assert.InRange(AudioProbe.DecodedSeconds(body, rate), seconds - 0.01, seconds + 0.1);
    }

    [Fact]
    public async Task Pcm_IsHeaderless16BitAt24kHz_WhateverTheVoicesRate()
    {
        var seconds = await V2SampleCountAsync(Text) / (double)PiperVoiceModel.SampleRate;

        using var response = await PostAsync(new { model = Voice, input = Text, voice = "alloy", response_format = "pcm" });

        var pcm = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual("RIFF", Encoding.ASCII.GetString(pcm, 0, 4));
        Assert.Equal(Math.Ceiling(seconds * SpeechFormats.PcmRate), pcm.Length / 2, 1.0);
    }

    [Fact]
    public async Task Stream_SendsTheFirstBytes_BeforeTheLastSentenceIsStarted()
    {
        const string text = "One. Two is here. Three comes after two. Four is next. Five is nearly last. Six is the end.";
        var firstBytes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool? arrivedBeforeLast = null;
        // The last sentence's span starts on the synthesis's own thread: holding it there until the client has read its
        // first bytes shows they left before it ran. Were the audio sent only whole, the wait would time out.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity =>
            {
                if (activity.OperationName == TelemetryNames.SentenceSpan && activity.GetTagItem(TelemetryNames.ModelName) as string == Voice
                    && activity.GetTagItem(TelemetryNames.SentenceCount) is 6 && activity.GetTagItem(TelemetryNames.SentenceIndex) is 5)
                {
                    arrivedBeforeLast = firstBytes.Task.Wait(TimeSpan.FromSeconds(20));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech") { Content = Json(new { model = Voice, input = text, voice = "alloy", response_format = "wav" }) };
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        // The header may come in a write of its own: read on until audio follows it (the first sentence's, which is never held).
        var total = 0;
        int read;
        while (total <= 44 && (read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        Assert.True(total > 44, "the stream ended before any audio followed the header");
        firstBytes.SetResult();
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        Assert.True(arrivedBeforeLast, "the first bytes had not arrived when the last sentence started");
        Assert.Equal(44 + 2 * await V2SampleCountAsync(text), total);
        Assert.Null(response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Sse_SendsAudioDeltasThenDoneWithUsage_AndTheDeltasAreTheWholeFile()
    {
        using var plain = await PostAsync(new { model = Voice, input = Text, voice = "alloy", response_format = "wav" });
        var expected = await plain.Content.ReadAsByteArrayAsync();

        using var response = await PostAsync(new { model = Voice, input = Text, voice = "alloy", response_format = "wav", stream_format = "sse" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync())
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .ToList();
        Assert.True(events.Count >= 3, "a header, two sentences, done");
        Assert.All(events[..^1], e => Assert.Equal("speech.audio.delta", e.GetProperty("type").GetString()));
        Assert.Equal(expected, events[..^1].SelectMany(e => Convert.FromBase64String(e.GetProperty("audio").GetString()!)).ToArray());
        var done = events[^1];
        Assert.Equal("speech.audio.done", done.GetProperty("type").GetString());
        var usage = done.GetProperty("usage");
        Assert.Equal(Text.Length, usage.GetProperty("input_tokens").GetInt32());
        var seconds = (expected.Length - 44) / 2.0 / PiperVoiceModel.SampleRate;
        Assert.Equal((int)Math.Ceiling(seconds * 50), usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{ "model": "tiny_piper", "input": "  ", "voice": "alloy" }""", "\"input\" is empty")]
    [InlineData("""{ "model": "tiny_piper", "voice": "alloy" }""", "\"input\" is required")]
    [InlineData("""{ "input": "Hi.", "voice": "alloy" }""", "\"model\" is required")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi." }""", "\"voice\" is required")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "nobody" }""", "unknown voice 'nobody'")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "alloy", "speed": 5 }""", "\"speed\" is 5; it must be a number from 0.25 to 4.0")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "alloy", "speed": "fast" }""", "it must be a number from 0.25 to 4.0")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "alloy", "response_format": "ogg" }""", "\"response_format\" 'ogg' is not supported; use one of mp3, opus, aac, flac, wav, pcm")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "alloy", "stream_format": "chunks" }""", "\"stream_format\" 'chunks' is not supported")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "alloy", "pitch": 2 }""", "unknown field \"pitch\"")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi.", "voice": "alloy", "instructions": "Speak softly." }""", "unknown parameter 'instructions'")]
    [InlineData("""{ "model": "tiny_piper", "input": "Hi." """, "not valid JSON")]
    public async Task BadRequest_Is400WithOpenAisErrorShape(string body, string message)
    {
        using var response = await fixture.Http.PostAsync("/v1/audio/speech", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertOpenAiError(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task TextOverTheLimit_Is400NamingIt()
    {
        using var response = await PostAsync(new { model = Voice, input = new string('a', 4097), voice = "alloy", response_format = "wav" });

        await AssertOpenAiError(response, HttpStatusCode.BadRequest, "the text is 4097 characters; this model speaks at most 4096");
    }

    [Fact]
    public async Task OfficialClient_UnknownVoice_Is400()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client().GenerateSpeechAsync("Hi.", new GeneratedSpeechVoice("nobody")));

        Assert.Equal(400, error.Status);
        Assert.Contains("unknown voice 'nobody'", error.Message);
    }

    [Fact]
    public async Task UnknownModel_Is404()
    {
        using var response = await PostAsync(new { model = "no_such_voice", input = "Hi.", voice = "alloy" });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, body);
        Assert.Equal("model_not_found", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public void FfmpegFormat_WithoutFfmpeg_Is400NamingIt_AndWavStillWorks()
    {
        var encoders = new SpeechEncoders("/nonexistent/ffmpeg");

        var error = Assert.Throws<InferenceException>(() => encoders.Check("opus"));

        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
        Assert.Contains("response_format 'opus' is encoded by ffmpeg, which is not installed on this server", error.Message);
        encoders.Check("wav");
        encoders.Check("pcm");
    }

    [Fact]
    public void Resampler_StreamedInBlocks_GivesTheInputsDurationAtTheNewRate()
    {
        var resampler = new StreamingResampler(22050, 24000);
        var tone = Enumerable.Range(0, 22050).Select(i => MathF.Sin(2 * MathF.PI * 440 * i / 22050) / 2).ToArray();

        var output = new List<float>();
        foreach (var block in tone.Chunk(1000))
        {
            output.AddRange(resampler.Process(block));
        }

        output.AddRange(resampler.Flush());
        Assert.Equal(24000, output.Count);
        // The tone survives: its level in the middle second is the input's (a sine of amplitude ½ has RMS ½/√2).
        var middle = output.Skip(2000).Take(20000).ToArray();
        Assert.Equal(0.5 / Math.Sqrt(2), Math.Sqrt(middle.Average(s => (double)s * s)), 2);
    }

    // The samples the V2 infer route gives for the text: what every format's length follows.
    private async Task<long> V2SampleCountAsync(string text)
    {
        using var response = await fixture.Http.PostAsync($"/v2/models/{Voice}/infer", Json(new
        {
            inputs = new[] { new { name = "text", datatype = "BYTES", shape = new[] { 1 }, data = new[] { text } } },
            outputs = new[] { new { name = "audio" } },
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("outputs")[0].GetProperty("shape")[0].GetInt64();
    }

    private Task<HttpResponseMessage> PostAsync(object body) => fixture.Http.PostAsync("/v1/audio/speech", Json(body));

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task AssertOpenAiError(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }
}
