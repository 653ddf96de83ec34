using GrainServe.TestSupport;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The sample's real vocoder, batched: a window started earlier on its own latents (what the batcher does to match
/// lengths) gives the samples it gives alone once past the vocoder's left context, and the batcher answers every
/// window of a burst with what that window gets alone.
/// </summary>
public sealed class XttsVocoderBatcherTests
{
    private static List<float[]> Latents(int count, int hidden, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, hidden).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())];
    }

    [Fact]
    public async Task Decode_WindowStartedEarlier_EqualsItsSoloDecodePastTheLeftContext()
    {
        await using var synthesizer = XttsTestModel.Synthesizer();
        var vocoder = synthesizer.Model.Vocoder;
        var hop = synthesizer.Model.Settings.HopLength;
        var context = synthesizer.Model.Settings.VocoderContext;
        var speaker = synthesizer.Model.Voices.BuiltIn.Speaker;
        var latents = Latents(65, vocoder.Hidden, 3);
        var window = new VocoderWindow(latents, 1.0, 60, 65, speaker);

        var solo = new float[window.Length * vocoder.Hidden];
        window.CopyRows(60, solo, vocoder.Hidden);
        var alone = vocoder.Decode(solo, 1, window.Length, speaker)[0];
        var extended = new float[2 * 23 * vocoder.Hidden];
        window.CopyRows(65 - 23, extended.AsSpan(0, 23 * vocoder.Hidden), vocoder.Hidden);
        new VocoderWindow(Latents(40, vocoder.Hidden, 4), 1.0, 17, 40, speaker).CopyRows(17, extended.AsSpan(23 * vocoder.Hidden), vocoder.Hidden);
        var batched = vocoder.Decode(extended, 2, 23, [.. speaker, .. speaker])[0];

        var offset = (60 - (65 - 23)) * hop;
        for (var i = context * hop; i < alone.Length; i++)
        {
            Assert.True(Math.Abs(alone[i] - batched[offset + i]) < 1e-4, $"sample {i}: alone {alone[i]}, batched {batched[offset + i]}");
        }
    }

    [Fact]
    public async Task DecodeAsync_Burst_AnswersEachWindowWithItsSoloSamples()
    {
        await using var synthesizer = XttsTestModel.Synthesizer();
        var vocoder = synthesizer.Model.Vocoder;
        var batcher = synthesizer.Model.VocoderBatcher;
        var hop = synthesizer.Model.Settings.HopLength;
        var speaker = synthesizer.Model.Voices.BuiltIn.Speaker;
        var windows = Enumerable.Range(0, 12).Select(i => new VocoderWindow(Latents(30 + i, vocoder.Hidden, i), 1.0, 7 + (2 * i), 30 + i, speaker)).ToArray();
        var runs = vocoder.Runs;

        var decodes = await Task.WhenAll(windows.Select(batcher.DecodeAsync));

        Assert.True(vocoder.Runs - runs <= windows.Length);
        for (var w = 0; w < windows.Length; w++)
        {
            var solo = new float[windows[w].Length * vocoder.Hidden];
            windows[w].CopyRows(windows[w].From, solo, vocoder.Hidden);
            var alone = vocoder.Decode(solo, 1, windows[w].Length, speaker)[0];
            var skip = (windows[w].From - decodes[w].From) * hop;
            Assert.Equal(alone.Length + skip, decodes[w].Wav.Length);
            // Past the left context every sample is the solo decode's, whichever run the window went in.
            for (var i = synthesizer.Model.Settings.VocoderContext * hop; i < alone.Length; i++)
            {
                Assert.True(Math.Abs(alone[i] - decodes[w].Wav[skip + i]) < 1e-4, $"window {w}, sample {i}");
            }
        }
    }
}
