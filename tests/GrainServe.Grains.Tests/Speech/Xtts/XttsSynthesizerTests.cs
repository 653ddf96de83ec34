using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.ModelBuilder.Xtts;
using GrainServe.Speech.Synthesis;
using GrainServe.TestSupport;
using BuiltXtts = GrainServe.ModelBuilder.Xtts.XttsModel;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The XTTS-style pipeline on the random-weight sample: its audio is noise, but codes, latents, vocoder and crossfade
/// are all real, so streaming against one-shot, first audio against last code and batching against running alone can be
/// checked exactly. The random GPT seldom samples its stop code, so <c>max_codes</c> bounds every utterance.
/// </summary>
public sealed class XttsSynthesizerTests
{
    private static readonly int Hop = XttsDims.Small.HopLength;

    private static SynthesisRequest Request(string text, long seed, int maxCodes, int chunk, string? voice = null) => new(
        text, voice, 1.0, null, seed, new Dictionary<string, string>
        {
            ["max_codes"] = maxCodes.ToString(CultureInfo.InvariantCulture),
            ["stream_chunk_size"] = chunk.ToString(CultureInfo.InvariantCulture),
        });

    private static async Task<List<float[]>> Stretches(XttsSynthesizer synthesizer, SynthesisRequest request)
    {
        var stretches = new List<float[]>();
        await foreach (var stretch in synthesizer.SynthesizeAsync(request, default))
        {
            stretches.Add(stretch);
        }

        return stretches;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public async Task SynthesizeAsync_Streamed_EqualsOneShotOutsideTheCrossfadeWindows(int vocoderContext)
    {
        await using var synthesizer = XttsTestModel.Synthesizer(vocoderContext: vocoderContext);
        const int Chunk = 20;

        var streamed = await Stretches(synthesizer, Request("Streaming equals one shot.", 5, 120, Chunk));
        var oneShot = (await Stretches(synthesizer, Request("Streaming equals one shot.", 5, 120, 10_000))).Single();

        var joined = streamed.SelectMany(s => s).ToArray();
        Assert.True(streamed.Count > 1, $"{streamed.Count} stretch(es) of {joined.Length} samples: the utterance should stream in several");
        Assert.Equal(oneShot.Length, joined.Length);
        var overlap = synthesizer.Model.Settings.OverlapSamples;
        var outside = 0;
        for (var i = 0; i < joined.Length; i++)
        {
            var inWindow = Enumerable.Range(1, streamed.Count).Any(k => i >= (k * Chunk * Hop) - overlap && i < k * Chunk * Hop);
            if (!inWindow)
            {
                Assert.True(Math.Abs(oneShot[i] - joined[i]) < 1e-4, $"sample {i}: one-shot {oneShot[i]}, streamed {joined[i]}");
                outside++;
            }
        }

        Assert.True(outside > joined.Length / 2);
    }

    [Fact]
    public async Task SynthesizeAsync_FirstStretch_HoldsOnlyTheFirstChunkOfCodes()
    {
        await using var synthesizer = XttsTestModel.Synthesizer();
        const int MaxCodes = 400;
        const int Chunk = 10;
        var before = synthesizer.Model.Engine.Snapshot().GenerationTokens;

        var stretches = new List<int>();
        await foreach (var stretch in synthesizer.SynthesizeAsync(Request("The first words play early.", 9, MaxCodes, Chunk), default))
        {
            stretches.Add(stretch.Length);
        }

        // The synthesizer decodes each chunk of codes as the engine's updates come in, not once every code is in: the
        // first stretch is the first chunk's audio. (When the reader first ran is up to the thread pool: on a busy
        // machine the engine can generate every code before it, so the engine's count at that moment is not a test.)
        var total = synthesizer.Model.Engine.Snapshot().GenerationTokens - before;
        Assert.True(total > 3 * Chunk, $"only {total} codes: too few to stream in chunks");
        Assert.True(stretches.Count >= 3, $"{stretches.Count} stretch(es) for {total} codes");
        Assert.InRange(stretches[0], 1, Chunk * Hop);
        Assert.True(stretches.Sum() >= 10 * Hop);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public async Task SynthesizeAsync_Concurrent_ShareDecodeStepsAndVocoderRunsAndEachGetsWhatItGetsAlone(int vocoderContext)
    {
        var requests = Enumerable.Range(0, 4)
            .Select(i => Request($"Sentence number {i} is {new string('x', i * 7)} long.", 100 + i, 40 + (i * 10), 20))
            .ToArray();
        await using var synthesizer = XttsTestModel.Synthesizer(maxNumSeqs: 8, vocoderContext: vocoderContext);
        var engine = synthesizer.Model.Engine;
        var vocoder = synthesizer.Model.Vocoder;
        var batcher = synthesizer.Model.VocoderBatcher;

        var alone = new float[requests.Length][];
        var steps = engine.Snapshot().Steps;
        var (runs, windows) = (vocoder.Runs, batcher.Windows);
        for (var i = 0; i < requests.Length; i++)
        {
            alone[i] = (await Stretches(synthesizer, requests[i])).SelectMany(s => s).ToArray();
        }

        var aloneSteps = engine.Snapshot().Steps - steps;
        Assert.Equal(batcher.Windows - windows, vocoder.Runs - runs);
        steps = engine.Snapshot().Steps;
        (runs, windows) = (vocoder.Runs, batcher.Windows);
        var together = await Task.WhenAll(requests.Select(async r => (await Stretches(synthesizer, r)).SelectMany(s => s).ToArray()));
        var togetherSteps = engine.Snapshot().Steps - steps;
        var (togetherRuns, togetherWindows) = (vocoder.Runs - runs, batcher.Windows - windows);

        Assert.True(togetherSteps < aloneSteps, $"{togetherSteps} steps together, {aloneSteps} one at a time");
        Assert.True(togetherRuns < togetherWindows, $"the vocoder ran {togetherRuns} times for {togetherWindows} windows");
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(alone[i].Length, together[i].Length);
            var worst = alone[i].Zip(together[i], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 1e-4, $"synthesis {i} differs by {worst} when batched");
        }
    }

    [Fact]
    public async Task Infer_OpenAiVoiceName_AnswersAudioAtTheVocodersRate()
    {
        await using var instance = XttsTestModel.Instance();
        var request = new InferenceRequest(null, null, [new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes("Hello there.")]))], null)
        {
            Parameters = new() { ["voice"] = "alloy", ["seed"] = "1", ["max_codes"] = "30" },
        };

        var result = await instance.Infer(request, default);

        Assert.Null(result.Error);
        var audio = result.Response!.Outputs.Single(o => o.Name == SynthesisInstance.AudioOutput);
        var rate = result.Response.Outputs.Single(o => o.Name == SynthesisInstance.SampleRateOutput);
        Assert.Equal(24000, BitConverter.ToInt32(rate.Data));
        var samples = MemoryMarshal.Cast<byte, float>(audio.Data.AsSpan()).ToArray();
        Assert.InRange(samples.Length, Hop, 30 * Hop);
        Assert.All(samples, s => Assert.InRange(s, -1f, 1f));
    }

    [Fact]
    public async Task Infer_UnknownVoice_IsInvalidInput()
    {
        await using var instance = XttsTestModel.Instance();
        var request = new InferenceRequest(null, null, [new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes("Hi.")]))], null)
        {
            Parameters = new() { ["voice"] = "nobody" },
        };

        var result = await instance.Infer(request, default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains("nobody", result.Error.Message);
    }

    [Fact]
    public async Task Infer_LanguageTheVocabularyLacks_IsInvalidInputNamingTheOnesItHas()
    {
        await using var instance = XttsTestModel.Instance();
        var request = new InferenceRequest(null, null, [new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes("Hi.")]))], null)
        {
            Parameters = new() { ["language"] = "tlh", ["max_codes"] = "5" },
        };

        var result = await instance.Infer(request, default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains("language 'tlh'", result.Error.Message);
        Assert.Contains("de, en, es", result.Error.Message);
    }

    [Fact]
    public async Task SynthesizeAsync_Language_ChangesThePromptAndSoTheAudio()
    {
        await using var synthesizer = XttsTestModel.Synthesizer();

        var english = (await Stretches(synthesizer, Request("Guten Tag.", 4, 30, 20))).SelectMany(s => s).ToArray();
        var german = (await Stretches(synthesizer, Request("Guten Tag.", 4, 30, 20) with { Language = "de" })).SelectMany(s => s).ToArray();

        Assert.NotEqual(english, german);
    }

    [Fact]
    public async Task Validate_BadSamplingParameter_NamesIt()
    {
        await using var synthesizer = XttsTestModel.Synthesizer();
        var request = Request("Hi.", 1, 10, 20) with { Parameters = new Dictionary<string, string> { ["temperature"] = "hot" } };

        Assert.Contains("temperature", synthesizer.Validate(request));
    }

    [Fact]
    public async Task Infer_ReferenceAudio_AnswersAVoiceThatSpeaks()
    {
        await using var instance = XttsTestModel.Instance();
        var wav = BuiltXtts.ReferenceVoice(seconds: 2, hz: 240);
        var encode = new InferenceRequest(null, null, [new InferTensor(XttsInstance.ReferenceAudioInput, InferDatatype.Bytes, [1], BytesElements.Pack([wav]))], null);

        var result = await instance.Infer(encode, default);

        Assert.Null(result.Error);
        var voice = XttsVoice.FromBytes(BytesElements.Unpack(result.Response!.Outputs.Single(o => o.Name == XttsInstance.VoiceOutput).Data).Single().Span);
        Assert.Equal(2.0, BitConverter.ToDouble(result.Response.Outputs.Single(o => o.Name == XttsInstance.ReferenceSecondsOutput).Data), 3);
        await using var synthesizer = XttsTestModel.Synthesizer();
        synthesizer.Model.Voices.Add("mine", voice);
        var mine = (await Stretches(synthesizer, Request("Same words.", 3, 30, 20, voice: "mine"))).SelectMany(s => s).ToArray();
        var builtIn = (await Stretches(synthesizer, Request("Same words.", 3, 30, 20))).SelectMany(s => s).ToArray();
        Assert.NotEqual(builtIn, mine);
    }

    [Fact]
    public async Task Infer_ReferenceAudioThatIsNotAudio_IsInvalidInput()
    {
        await using var instance = XttsTestModel.Instance();
        var encode = new InferenceRequest(null, null, [new InferTensor(XttsInstance.ReferenceAudioInput, InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes("not audio")]))], null);

        var result = await instance.Infer(encode, default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
    }

    [Fact]
    public async Task ToBytes_Voice_RoundTrips()
    {
        await using var synthesizer = XttsTestModel.Synthesizer();
        var voice = synthesizer.Model.Voices.BuiltIn;

        var back = XttsVoice.FromBytes(voice.ToBytes());

        Assert.Equal(voice.Latents, back.Latents);
        Assert.Equal(voice.Speaker, back.Speaker);
        Assert.Equal(voice.State.Positions, back.State.Positions);
        Assert.Equal((float[])voice.State.Values[^1], (float[])back.State.Values[^1]);
    }
}
