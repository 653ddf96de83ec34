using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// The whole Whisper pipeline on a small random-weight model: its text means nothing, but every stage is real, so the
/// answers' shape, determinism and independence from whatever else is decoding can be checked exactly.
/// </summary>
public sealed class WhisperInstanceTests
{
    private static InferenceRequest Request(byte[] audio, Dictionary<string, string>? parameters = null) =>
        new(null, null, [new InferTensor("audio", InferDatatype.Bytes, [1], BytesElements.Pack([audio]))], null) { Parameters = parameters };

    private static byte[] Tone(double seconds, double hz, int rate = 16000, double noise = 0.05, int seed = 1)
    {
        var random = new Random(seed);
        var samples = new float[(int)(seconds * rate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)((0.4 * Math.Sin(2 * Math.PI * hz * i / rate)) + (noise * (random.NextDouble() - 0.5)));
        }

        return WavFile.FromSamples(samples, rate);
    }

    private static (string Text, JsonElement Verbose) Outputs(InferenceResult result)
    {
        Assert.Null(result.Error);
        string Output(string name) => Encoding.UTF8.GetString(BytesElements.Unpack(result.Response!.Outputs.Single(o => o.Name == name).Data).Single().Span);
        return (Output(WhisperInstance.TextOutput), JsonDocument.Parse(Output(WhisperInstance.VerboseJsonOutput)).RootElement.Clone());
    }

    [Fact]
    public async Task Infer_Wav_AnswersTextAndVerboseJsonForTheWholeRecording()
    {
        await using var instance = WhisperTestModel.Instance();

        var (text, verbose) = Outputs(await instance.Infer(Request(Tone(2.5, 440, rate: 44100), new() { ["seed"] = "3", ["max_tokens"] = "16" }), default));

        Assert.Equal("transcribe", verbose.GetProperty("task").GetString());
        Assert.Equal("english", verbose.GetProperty("language").GetString());
        Assert.Equal(2.5, verbose.GetProperty("duration").GetDouble(), 2);
        Assert.Equal(text, verbose.GetProperty("text").GetString());
        var segments = verbose.GetProperty("segments").EnumerateArray().ToList();
        Assert.All(segments, s => Assert.True(s.GetProperty("end").GetDouble() >= s.GetProperty("start").GetDouble()));
        Assert.All(segments, s => Assert.True(s.GetProperty("tokens").GetArrayLength() <= 16));
        Assert.Equal(1UL, instance.Statistics.Snapshot().InferenceCount);
    }

    [Fact]
    public async Task Infer_SameRequestAndSeed_GivesTheSameTranscript()
    {
        await using var instance = WhisperTestModel.Instance();
        var request = Request(Tone(1.5, 300), new() { ["seed"] = "11", ["max_tokens"] = "12", ["response_format"] = "verbose_json" });

        var first = Outputs(await instance.Infer(request, default));
        var second = Outputs(await instance.Infer(request, default));

        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Verbose.GetRawText(), second.Verbose.GetRawText());
    }

    [Fact]
    public async Task Infer_ConcurrentTranscriptions_EachGetWhatItGetsAlone()
    {
        // Different lengths (one long-form, two windows) and contents, so their sequences join and leave the engine's
        // batch at different steps.
        var clips = new[] { Tone(1.0, 220, seed: 1), Tone(2.0, 500, seed: 2), Tone(33.0, 330, seed: 3), Tone(0.5, 880, rate: 8000, seed: 4) };
        Dictionary<string, string> Options(int i) => new() { ["seed"] = (100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), ["max_tokens"] = "10" };

        string[] alone;
        await using (var instance = WhisperTestModel.Instance())
        {
            alone = new string[clips.Length];
            for (var i = 0; i < clips.Length; i++)
            {
                alone[i] = Outputs(await instance.Infer(Request(clips[i], Options(i)), default)).Verbose.GetRawText();
            }
        }

        await using (var instance = WhisperTestModel.Instance())
        {
            var together = await Task.WhenAll(clips.Select((clip, i) => Task.Run(() => instance.Infer(Request(clip, Options(i)), default))));
            for (var i = 0; i < clips.Length; i++)
            {
                AssertSameTranscript(alone[i], Outputs(together[i]).Verbose.GetRawText(), $"clip {i}");
            }
        }

        // The 33 s clip was decoded as long-form audio: a second window, from a later seek.
        using var long33 = JsonDocument.Parse(alone[2]);
        Assert.Contains(long33.RootElement.GetProperty("segments").EnumerateArray(), s => s.GetProperty("seek").GetInt32() > 0);
    }

    // Tokens, text, times and the choices made from them must be equal; a batched run's summed log-probabilities may
    // differ in the last float bits (the kernels sum a batch in another order), so those are held to 1e-6.
    private static void AssertSameTranscript(string expected, string actual, string what)
    {
        using var a = JsonDocument.Parse(expected);
        using var b = JsonDocument.Parse(actual);
        var left = a.RootElement.GetProperty("segments").EnumerateArray().ToList();
        var right = b.RootElement.GetProperty("segments").EnumerateArray().ToList();
        Assert.True(a.RootElement.GetProperty("text").GetString() == b.RootElement.GetProperty("text").GetString(), $"{what}:\nalone    {expected}\ntogether {actual}");
        Assert.Equal(left.Count, right.Count);
        for (var s = 0; s < left.Count; s++)
        {
            foreach (var property in left[s].EnumerateObject())
            {
                var other = right[s].GetProperty(property.Name);
                if (property.Name == "avg_logprob")
                {
                    Assert.Equal(property.Value.GetDouble(), other.GetDouble(), 1e-6);
                }
                else
                {
                    Assert.True(property.Value.GetRawText() == other.GetRawText(), $"{what}, segment {s}, {property.Name}: {property.Value.GetRawText()} alone, {other.GetRawText()} together");
                }
            }
        }
    }

    [Fact]
    public async Task Infer_SameAudioAsWavAndAsFlac_GivesTheSameTranscript()
    {
        if (!AudioTools.Available("ffmpeg", nameof(Infer_SameAudioAsWavAndAsFlac_GivesTheSameTranscript)))
        {
            return;
        }

        var wav = Tone(3.0, 523, seed: 8);
        var folder = Directory.CreateTempSubdirectory("grainserve-flac-").FullName;
        File.WriteAllBytes(Path.Combine(folder, "a.wav"), wav);
        AudioTools.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", Path.Combine(folder, "a.wav"), Path.Combine(folder, "a.flac"));
        var flac = File.ReadAllBytes(Path.Combine(folder, "a.flac"));
        Directory.Delete(folder, recursive: true);
        await using var instance = WhisperTestModel.Instance();

        // The seed is given: by default each file's own hash seeds it, and the two files differ byte for byte.
        Dictionary<string, string> Options() => new() { ["seed"] = "9", ["max_tokens"] = "16" };
        var fromWav = Outputs(await instance.Infer(Request(wav, Options()), default)).Verbose.GetRawText();
        var fromFlac = Outputs(await instance.Infer(Request(flac, Options()), default)).Verbose.GetRawText();

        Assert.Equal(Encoding.ASCII.GetBytes("fLaC"), flac[..4]);
        AssertSameTranscript(fromWav, fromFlac, "WAV against FLAC");
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, "not")]
    public async Task Infer_NotAudio_IsInvalidInputNamingTheProblem(byte[] file, string words)
    {
        await using var instance = WhisperTestModel.Instance();

        var result = await instance.Infer(Request(file), default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains(words, result.Error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, instance.Pending);
    }

    [Fact]
    public async Task Infer_TruncatedWav_IsInvalidInput()
    {
        await using var instance = WhisperTestModel.Instance();
        var wav = Tone(1.0, 440);

        var result = await instance.Infer(Request(wav[..30]), default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
    }

    [Fact]
    public async Task Infer_ForeignLanguageOnEnglishOnlyModel_IsInvalidInput()
    {
        await using var instance = WhisperTestModel.Instance();

        var result = await instance.Infer(Request(Tone(1.0, 440), new() { ["language"] = "de" }), default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains("English-only", result.Error.Message);
    }

    [Fact]
    public async Task Infer_CancelledMidTranscription_AnswersCancelledAndFreesTheEngine()
    {
        await using var instance = WhisperTestModel.Instance();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var result = await instance.Infer(Request(Tone(90.0, 440), new() { ["seed"] = "1", ["ignore_eos"] = "true", ["max_tokens"] = "200" }), cancellation.Token);

        Assert.Equal(InferenceErrorCode.Cancelled, result.Error!.Code);
        Assert.Equal(0, instance.Pending);
    }
}
