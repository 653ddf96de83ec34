using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Models;

namespace GrainServe.Speech.Synthesis;

public sealed class SynthesisInstanceTests
{
    private static InferenceRequest Request(string text, Dictionary<string, string>? parameters = null, string[]? outputs = null) =>
        new(null, null, [new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes(text)]))], outputs)
        {
            Parameters = parameters,
        };

    private static SynthesisInstance Instance(ScriptedSynthesizer synthesizer) =>
        new(new ModelConfig { Name = "voice" }, "1", synthesizer, TimeProvider.System);

    [Fact]
    public async Task Infer_JoinsEveryStretch_IntoOneFp32Output_WithTheSampleRate()
    {
        await using var instance = Instance(new ScriptedSynthesizer([[0.5f, -0.5f], [0.25f]]));

        var result = await instance.Infer(Request("hello"), CancellationToken.None);

        Assert.Null(result.Error);
        var audio = result.Response!.Outputs.Single(o => o.Name == SynthesisInstance.AudioOutput);
        Assert.Equal(InferDatatype.Fp32, audio.Datatype);
        Assert.Equal([3L], audio.Shape);
        Assert.Equal([0.5f, -0.5f, 0.25f], MemoryMarshal.Cast<byte, float>(audio.Data).ToArray());
        var rate = result.Response.Outputs.Single(o => o.Name == SynthesisInstance.SampleRateOutput);
        Assert.Equal(16000, BitConverter.ToInt32(rate.Data));
        Assert.Equal(1UL, instance.Statistics.Snapshot().Success.Count);
    }

    [Fact]
    public async Task Infer_AskedForInt16_ScalesAndClamps()
    {
        await using var instance = Instance(new ScriptedSynthesizer([[1f, -2f, 0.5f]]));

        var result = await instance.Infer(Request("hello", outputs: [SynthesisInstance.AudioInt16Output]), CancellationToken.None);

        var audio = Assert.Single(result.Response!.Outputs);
        Assert.Equal(InferDatatype.Int16, audio.Datatype);
        Assert.Equal(new short[] { 32767, -32767, 16384 }, MemoryMarshal.Cast<byte, short>(audio.Data).ToArray());
    }

    [Theory]
    [InlineData("   ", null, "empty")]
    [InlineData("hi", "speed=9", "speed must be a number from 0.25 to 4")]
    [InlineData("hi", "speed=fast", "speed must be")]
    [InlineData("hi", "pitch=2", "unknown parameter 'pitch'")]
    [InlineData("hi", "voice=nobody", "unknown voice 'nobody'")]
    public async Task Infer_BadInput_IsInvalidInput_AndNeverSpeaks(string text, string? parameter, string expected)
    {
        var synthesizer = new ScriptedSynthesizer([[0f]]);
        await using var instance = Instance(synthesizer);
        var parameters = parameter?.Split('=') is [var key, var value] ? new Dictionary<string, string> { [key] = value } : null;

        var result = await instance.Infer(Request(text, parameters), CancellationToken.None);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains(expected, result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, synthesizer.Started);
    }

    [Fact]
    public async Task Infer_TextOverTheLimit_IsInvalidInput()
    {
        await using var instance = Instance(new ScriptedSynthesizer([[0f]]) { Limit = 5 });

        var result = await instance.Infer(Request("too long"), CancellationToken.None);

        Assert.Contains("at most 5", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_StreamsEachStretchAsItComes_ThenFinishes()
    {
        await using var instance = Instance(new ScriptedSynthesizer([[0.5f], [0.25f, 0.125f]]));

        var chunks = await Collect(instance.Generate(new GenerateRequest { Inputs = Request("hello", new() { ["speed"] = "1.5" }) }, CancellationToken.None));

        Assert.Equal(3, chunks.Count);
        Assert.Equal([0.5f], MemoryMarshal.Cast<byte, float>(chunks[0].Audio).ToArray());
        Assert.Equal([0.25f, 0.125f], MemoryMarshal.Cast<byte, float>(chunks[1].Audio).ToArray());
        Assert.All(chunks, c => Assert.Equal(16000, c.SampleRate));
        Assert.Equal(GenerateFinishReason.EndOfSequence, chunks[2].FinishReason);
        Assert.Empty(chunks[2].Audio);
    }

    [Fact]
    public async Task Generate_AFailureMidway_EndsTheStreamWithItsError()
    {
        await using var instance = Instance(new ScriptedSynthesizer([[0.5f]]) { FailAfter = 1 });

        var chunks = await Collect(instance.Generate(new GenerateRequest { Inputs = Request("hello") }, CancellationToken.None));

        Assert.Equal(2, chunks.Count);
        Assert.Equal(InferenceErrorCode.ModelNotReady, chunks[1].Error!.Code);
        Assert.Equal(GenerateFinishReason.Error, chunks[1].FinishReason);
        Assert.Equal(1UL, instance.Statistics.Snapshot().Fail.Count);
    }

    [Fact]
    public async Task Generate_WithoutInputs_SaysWhichRoutesToUse()
    {
        await using var instance = Instance(new ScriptedSynthesizer([[0f]]));

        var chunk = Assert.Single(await Collect(instance.Generate(new GenerateRequest { Prompt = "hi" }, CancellationToken.None)));

        Assert.Contains("/v1/audio/speech", chunk.Error!.Message, StringComparison.Ordinal);
    }

    private static async Task<List<GenerateChunk>> Collect(IAsyncEnumerable<GenerateChunk> chunks)
    {
        var list = new List<GenerateChunk>();
        await foreach (var chunk in chunks)
        {
            list.Add(chunk);
        }

        return list;
    }

    // A voice that says the same stretches for any text: what the instance does around a synthesizer is under test here.
    private sealed class ScriptedSynthesizer(float[][] stretches) : ISpeechSynthesizer
    {
        public int Started;

        public int Limit { get; init; } = SynthesisRequest.DefaultMaxCharacters;

        public int? FailAfter { get; init; }

        public int SampleRate => 16000;

        public int MaxCharacters => Limit;

        public IReadOnlyCollection<string> ExtraParameters { get; } = [];

        public int Waiting => 0;

        public TimeSpan ComputeTime => TimeSpan.Zero;

        public string? Validate(SynthesisRequest request) => request.Voice is null or "default" ? null : $"unknown voice '{request.Voice}'";

        public async IAsyncEnumerable<float[]> SynthesizeAsync(SynthesisRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Started);
            for (var i = 0; i < stretches.Length; i++)
            {
                await Task.Yield();
                if (i == FailAfter)
                {
                    break;
                }

                yield return stretches[i];
            }

            if (FailAfter is not null)
            {
                throw new InferenceException(InferenceErrorCode.ModelNotReady, "unloaded");
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
