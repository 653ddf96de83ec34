using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.ModelBuilder.Piper;
using GrainServe.Runtime;
using GrainServe.Telemetry;
using GrainServe.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// The Piper kind end to end on the ModelBuilder's random-weight voice (Piper's inputs, outputs and en_US phoneme
/// map): what it is given and how long its audio is, which the graph makes exactly ids × ⌈8 / speed⌉ × 128 samples.
/// </summary>
public sealed class PiperSynthesisTests : IDisposable
{
    private const string TwoSentences = "Hello there, my friend. How are you today?";
    private static readonly LocalDevice Cpu = new("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-test-0", 1L << 30, 1L << 30);
    private readonly TempRepository _repository = new();

    public void Dispose() => _repository.Dispose();

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(0.5)]
    public async Task Infer_GivesIdsTimesTheSpeedsFramesOfSamples_AtTheVoicesRate(double speed)
    {
        await using var instance = Load("piper_length");

        var result = await instance.Infer(Request(TwoSentences, new() { ["speed"] = speed.ToString(System.Globalization.CultureInfo.InvariantCulture) }), CancellationToken.None);

        Assert.Null(result.Error);
        var audio = result.Response!.Outputs.Single(o => o.Name == SynthesisInstance.AudioOutput);
        var frames = (int)Math.Ceiling(PiperVoiceModel.FramesPerId / speed);
        Assert.Equal(IdCount(TwoSentences) * frames * PiperVoiceModel.Hop, audio.Shape[0]);
        var rate = result.Response.Outputs.Single(o => o.Name == SynthesisInstance.SampleRateOutput);
        Assert.Equal(PiperVoiceModel.SampleRate, BitConverter.ToInt32(rate.Data));
        Assert.All(MemoryMarshal.Cast<byte, float>(audio.Data).ToArray(), s => Assert.InRange(s, -1f, 1f));
    }

    [Fact]
    public async Task Infer_LongerText_GivesLongerAudio()
    {
        await using var instance = Load("piper_longer");

        var shorter = await instance.Infer(Request("Hello."), CancellationToken.None);
        var longer = await instance.Infer(Request("Hello. This sentence is rather longer than the first one."), CancellationToken.None);

        Assert.True(longer.Response!.Outputs[0].Shape[0] > 3 * shorter.Response!.Outputs[0].Shape[0]);
    }

    [Fact]
    public async Task Generate_YieldsTheFirstSentence_BeforeTheLastSentenceStarts()
    {
        var started = new List<int>();
        using var listener = SentenceListener("piper_stream", (index, _) => { lock (started) { started.Add(index); } });
        await using var instance = Load("piper_stream");
        const string text = "One. Two is here. Three comes after. Four is the last.";

        await using var chunks = instance.Generate(new GenerateRequest { Inputs = Request(text) }, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await chunks.MoveNextAsync());

        Assert.Null(chunks.Current.Error);
        Assert.Equal(IdCount("One.") * PiperVoiceModel.FramesPerId * PiperVoiceModel.Hop * sizeof(float), chunks.Current.Audio.Length);
        lock (started)
        {
            Assert.Equal([0], started);
        }

        var audioChunks = 1;
        while (await chunks.MoveNextAsync() && chunks.Current.FinishReason is null)
        {
            audioChunks++;
        }

        Assert.Equal(4, audioChunks);
        Assert.Equal(GenerateFinishReason.EndOfSequence, chunks.Current.FinishReason);
        Assert.Equal([0, 1, 2, 3], started);
    }

    [Theory]
    [InlineData("alloy")]
    [InlineData("Shimmer")]
    public async Task Voice_OfASingleSpeakerVoice_TakesOpenAisNames(string voice)
    {
        await using var instance = Load("piper_openai_names");

        var result = await instance.Infer(Request("Hi.", new() { ["voice"] = voice }), CancellationToken.None);

        Assert.Null(result.Error);
    }

    [Theory]
    [InlineData("voice", "nobody", "unknown voice 'nobody'; this Piper voice has one speaker")]
    [InlineData("language", "de", "this voice speaks only 'en-us'")]
    [InlineData("noise_scale", "9", "noise_scale must be a number from 0 to 2")]
    [InlineData("pitch", "2", "unknown parameter 'pitch'")]
    public async Task BadParameter_IsInvalidInput(string name, string value, string message)
    {
        await using var instance = Load("piper_bad");

        var result = await instance.Infer(Request("Hi.", new() { [name] = value }), CancellationToken.None);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains(message, result.Error.Message);
    }

    [Fact]
    public async Task MultiSpeakerVoice_SpeaksEachSpeakerDifferently_AndRefusesANameItLacks()
    {
        await using var instance = Load("piper_speakers", speakers: 3);

        var first = await instance.Infer(Request("Hi.", new() { ["voice"] = "speaker_0" }), CancellationToken.None);
        var byDefault = await instance.Infer(Request("Hi."), CancellationToken.None);
        var second = await instance.Infer(Request("Hi.", new() { ["voice"] = "speaker_2" }), CancellationToken.None);
        var unknown = await instance.Infer(Request("Hi.", new() { ["voice"] = "alloy" }), CancellationToken.None);

        Assert.Equal(first.Response!.Outputs[0].Data, byDefault.Response!.Outputs[0].Data);
        Assert.NotEqual(first.Response.Outputs[0].Data, second.Response!.Outputs[0].Data);
        Assert.Equal(InferenceErrorCode.InvalidInput, unknown.Error!.Code);
        Assert.Contains("unknown voice 'alloy'; this model's speakers are speaker_0, speaker_1, speaker_2", unknown.Error.Message);
    }

    [Fact]
    public void Load_WithoutItsOnnxJson_SaysWhatIsMissing()
    {
        _repository.Model("piper_bare", 1, PiperVoiceModel.Build(), Config("piper_bare"));

        var error = Assert.Throws<ModelLoadException>(() => Provider().Create(_repository.Reader.Find("piper_bare")!, 1, Cpu));

        Assert.Contains("no Piper voice config", error.Message);
    }

    private SynthesisInstance Load(string name, int speakers = 1)
    {
        _repository.Model(name, 1, PiperVoiceModel.Build(speakers), Config(name)).File($"{name}/1/model.onnx.json", PiperVoiceModel.Config(speakers));
        return (SynthesisInstance)Provider().Create(_repository.Reader.Find(name)!, 1, Cpu);
    }

    private static PiperProvider Provider() => new(
        new OnnxSessionFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance),
        TimeProvider.System,
        NullLogger<PiperProvider>.Instance);

    private static string Config(string name) => $$"""{ "name": "{{name}}", "parameters": { "model_kind": { "string_value": "tts_piper" } } }""";

    // The ids the graph is given for the text: what its audio's length follows.
    private static int IdCount(string text)
    {
        var map = PiperPhonemeMap.EnUs.ToDictionary(p => p.Key, p => new[] { (long)p.Value });
        return PiperSentences.Join(Espeak.Clauses(text, "en-us")).Sum(s => PiperPhonemeIds.From(s, map).Ids.Length);
    }

    private static InferenceRequest Request(string text, Dictionary<string, string>? parameters = null) =>
        new(null, null, [new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes(text)]))], null) { Parameters = parameters };

    /// <summary>Calls <paramref name="started"/> with each sentence span's index and count as the span starts, for one model.</summary>
    internal static ActivityListener SentenceListener(string model, Action<int, int> started)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity =>
            {
                if (activity.OperationName == TelemetryNames.SentenceSpan && activity.GetTagItem(TelemetryNames.ModelName) as string == model)
                {
                    started((int)activity.GetTagItem(TelemetryNames.SentenceIndex)!, (int)activity.GetTagItem(TelemetryNames.SentenceCount)!);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
