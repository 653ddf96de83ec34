namespace GrainServe.Speech.Audio.Vad;

public sealed class SpeechRegionsTests
{
    private const int W = SileroVad.WindowSamples;

    // Windows of speech (1) and silence (0), as probabilities.
    private static float[] Windows(string pattern) => [.. pattern.Select(c => c == '1' ? 0.9f : 0.05f)];

    [Fact]
    public void Find_OneStretch_StartsAndEndsAtItsWindows_Padded()
    {
        var regions = SpeechRegions.Find(Windows("0001111000000"), 13 * W, new VadOptions { MinSilenceDurationMs = 0, SpeechPadMs = 10 });

        // Starts at window 3; ends at window 7, the first below the negative threshold; 160 samples of padding each side.
        Assert.Equal([new SpeechRegion(3 * W - 160, 7 * W + 160)], regions);
    }

    [Fact]
    public void Find_PauseShorterThanMinSilence_DoesNotEndTheSpeech()
    {
        // Three windows of pause are 96 ms: under 100 ms of minimum silence, so the two bursts are one stretch.
        var regions = SpeechRegions.Find(Windows("0110001100000000"), 16 * W, new VadOptions { MinSilenceDurationMs = 100, SpeechPadMs = 0 });

        Assert.Equal([new SpeechRegion(1 * W, 8 * W)], regions);
    }

    [Fact]
    public void Find_PauseLongerThanMinSilence_Splits_AndANarrowGapIsSharedBetweenPaddings()
    {
        // Pause of 8 windows (256 ms) against 100 ms: two stretches; 4096 samples of gap under two paddings of 3200 is
        // split between them.
        var regions = SpeechRegions.Find(Windows("0110000000011000000000"), 22 * W, new VadOptions { MinSilenceDurationMs = 100, SpeechPadMs = 200 });

        Assert.Equal(2, regions.Count);
        Assert.Equal(0, regions[0].Start);
        Assert.Equal(regions[0].End, regions[1].Start);
        Assert.Equal(3 * W + 4096 / 2, regions[0].End);
    }

    [Fact]
    public void Find_SpeechShorterThanMinSpeech_IsDropped_AndSpeechAtTheEndRunsToIt()
    {
        var regions = SpeechRegions.Find(Windows("01000000000111"), 14 * W + 100, new VadOptions { MinSilenceDurationMs = 50, MinSpeechDurationMs = 100, SpeechPadMs = 0 });

        Assert.Equal([new SpeechRegion(11 * W, 14 * W + 100)], regions);
    }

    [Fact]
    public void Find_Silence_IsNoRegion() =>
        Assert.Empty(SpeechRegions.Find(Windows("000000"), 6 * W, new VadOptions()));

    [Fact]
    public void Find_SpeechOverTheMaximum_IsCut()
    {
        var regions = SpeechRegions.Find(Windows(new string('1', 100)), 100 * W, new VadOptions { MaxSpeechDurationS = 1, SpeechPadMs = 0 });

        Assert.True(regions.Count >= 3, $"{regions.Count} regions");
        Assert.All(regions, r => Assert.InRange(r.Length, 1, 16000));
    }
}
