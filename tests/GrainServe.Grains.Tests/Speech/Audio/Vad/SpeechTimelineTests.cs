namespace GrainServe.Speech.Audio.Vad;

public sealed class SpeechTimelineTests
{
    // Speech from 1 s to 2 s and from 3 s to 4 s of a 16 kHz recording: joined, 2 s.
    private static readonly SpeechTimeline Timeline = new([new SpeechRegion(16000, 32000), new SpeechRegion(48000, 64000)], 16000);

    [Fact]
    public void Collect_JoinsTheStretchesInOrder()
    {
        var samples = Enumerable.Range(0, 80000).Select(i => (float)i).ToArray();

        var joined = Timeline.Collect(samples);

        Assert.Equal(32000, joined.Length);
        Assert.Equal([16000f, 31999f, 48000f, 63999f], [joined[0], joined[15999], joined[16000], joined[31999]]);
    }

    [Theory]
    [InlineData(0.5, false, 1.5)]
    [InlineData(1.0, true, 2.0)]
    [InlineData(1.0, false, 3.0)]
    [InlineData(1.25, false, 3.25)]
    [InlineData(2.0, true, 4.0)]
    public void ToOriginal_AddsTheSilenceCutBefore(double time, bool isEnd, double expected) =>
        Assert.Equal(expected, Timeline.ToOriginal(time, isEnd));
}
