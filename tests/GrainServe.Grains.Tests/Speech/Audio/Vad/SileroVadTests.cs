using GrainServe.TestSupport;

namespace GrainServe.Speech.Audio.Vad;

/// <summary>Silero VAD v5 as the build fetches it, on espeak-ng's speech with silences of known length around it.</summary>
public sealed class SileroVadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grainserve-vad-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The detector the build put beside the tests, or null (a message, or a failure under CI) without it.</summary>
    internal static SileroVad? Detector(string test)
    {
        var activity = VoiceActivity.Load(VoiceActivity.DefaultPath);
        if (activity.Detector is null)
        {
            var why = $"{test} needs Silero VAD v5: {activity.Missing}";
            Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")), why + " (CI is set, so this fails rather than skips)");
            Console.WriteLine($"SKIPPED {why}");
        }

        return activity.Detector;
    }

    [Fact]
    public async Task SpeechRegions_OfEspeaksSentencesBetweenSilences_AreWithin100msOfWhereTheSpeechIs()
    {
        using var vad = Detector(nameof(SpeechRegions_OfEspeaksSentencesBetweenSilences_AreWithin100msOfWhereTheSpeechIs));
        if (vad is null || !AudioTools.Available("espeak-ng", nameof(SpeechRegions_OfEspeaksSentencesBetweenSilences_AreWithin100msOfWhereTheSpeechIs)))
        {
            return;
        }

        // 1 s of silence, a sentence, 2.5 s of silence, a sentence, 1 s of silence.
        var first = await SpeakAsync("The quick brown fox jumps over the lazy dog.");
        var second = await SpeakAsync("Every morning she walks to the station.");
        var samples = new List<float>();
        var expected = new List<(double Start, double End)>();
        foreach (var (sentence, silence) in new[] { (first, 1.0), (second, 2.5) })
        {
            samples.AddRange(new float[(int)(silence * 16000)]);
            var (start, end) = Voiced(sentence);
            expected.Add(((samples.Count + start) / 16000.0, (samples.Count + end) / 16000.0));
            samples.AddRange(sentence);
        }

        samples.AddRange(new float[16000]);

        var probabilities = vad.SpeechProbabilities(samples.ToArray());
        var regions = SpeechRegions.Find(probabilities, samples.Count, new VadOptions { MinSilenceDurationMs = 500, SpeechPadMs = 0 });

        Assert.Equal(2, regions.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.InRange(regions[i].Start / 16000.0, expected[i].Start - 0.1, expected[i].Start + 0.1);
            Assert.InRange(regions[i].End / 16000.0, expected[i].End - 0.1, expected[i].End + 0.1);
        }
    }

    [Fact]
    public void SpeechProbabilities_OfSilence_AreLow_OneAWindow()
    {
        using var vad = Detector(nameof(SpeechProbabilities_OfSilence_AreLow_OneAWindow));
        if (vad is null)
        {
            return;
        }

        var probabilities = vad.SpeechProbabilities(new float[16000]);

        Assert.Equal(32, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 0.2f));
    }

    private async Task<float[]> SpeakAsync(string text)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.wav");
        AudioTools.Run("espeak-ng", "-w", path, text);
        return (await new AudioDecoder().DecodeAsync(await File.ReadAllBytesAsync(path), AudioLimits.Default)).Samples;
    }

    // Where espeak's sentence really sounds: from the first to the last 10 ms frame louder than -40 dBFS.
    private static (int Start, int End) Voiced(float[] samples)
    {
        const int Frame = 160;
        var loud = Enumerable.Range(0, samples.Length / Frame)
            .Where(f => Math.Sqrt(samples.AsSpan(f * Frame, Frame).ToArray().Average(s => s * s)) > 0.01)
            .ToArray();
        return (loud[0] * Frame, (loud[^1] + 1) * Frame);
    }
}
