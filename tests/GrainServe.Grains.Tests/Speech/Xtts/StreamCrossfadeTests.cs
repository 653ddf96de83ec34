namespace GrainServe.Speech.Xtts;

public sealed class StreamCrossfadeTests
{
    private const int Hop = 8;
    private const int Overlap = 8;

    // A vocoder with a receptive field of one latent either side: sample i of latent t is the mean of latents t-1..t+1
    // (those that exist) plus i, so prefix decodes differ from the whole one only in their last hop.
    private static float[] Decode(float[] latents, int count)
    {
        var wav = new float[count * Hop];
        for (var t = 0; t < count; t++)
        {
            var (sum, n) = (0f, 0);
            for (var u = Math.Max(0, t - 1); u <= Math.Min(count - 1, t + 1); u++)
            {
                sum += latents[u];
                n++;
            }

            for (var i = 0; i < Hop; i++)
            {
                wav[(t * Hop) + i] = (sum / n) + (i * 0.01f);
            }
        }

        return wav;
    }

    [Fact]
    public void Next_PrefixDecodes_JoinToTheWholeDecodeOutsideTheCrossfadeWindows()
    {
        var random = new Random(3);
        var latents = Enumerable.Range(0, 23).Select(_ => (float)random.NextDouble()).ToArray();
        var whole = Decode(latents, latents.Length);
        var crossfade = new StreamCrossfade(Overlap);
        var streamed = new List<float>();
        var boundaries = new List<int>();
        for (var count = 5; ; count = Math.Min(count + 5, latents.Length))
        {
            var last = count == latents.Length;
            streamed.AddRange(crossfade.Next(Decode(latents, count), last));
            if (last)
            {
                break;
            }

            boundaries.Add(count * Hop);
        }

        Assert.Equal(whole.Length, streamed.Count);
        for (var i = 0; i < whole.Length; i++)
        {
            if (!boundaries.Any(b => i >= b - Overlap && i < b))
            {
                Assert.Equal(whole[i], streamed[i], 6);
            }
        }
    }

    [Fact]
    public void Next_CrossfadeWindow_RampsFromTheHeldTailToTheNewDecode()
    {
        var crossfade = new StreamCrossfade(4);
        var first = crossfade.Next(Enumerable.Repeat(1f, 8).ToArray(), last: false);
        var second = crossfade.Next(Enumerable.Repeat(0f, 16).ToArray(), last: true);

        Assert.Equal(4, first.Length);
        Assert.Equal(new[] { 1f, 2f / 3, 1f / 3, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f }, second, new FloatComparer());
    }

    [Fact]
    public void Next_WindowedDecodes_GiveWhatWholeDecodesGive()
    {
        var random = new Random(5);
        var latents = Enumerable.Range(0, 17).Select(_ => (float)random.NextDouble()).ToArray();
        var whole = new StreamCrossfade(Overlap);
        var windowed = new StreamCrossfade(Overlap);
        var previous = 0;
        for (var count = 4; ; count = Math.Min(count + 4, latents.Length))
        {
            var last = count == latents.Length;
            // The held overlap starts one latent before the previous end; one more latent is the vocoder's left context.
            var from = previous == 0 ? 0 : previous - 2;
            var tail = Decode(latents[from..count], count - from);
            Assert.Equal(whole.Next(Decode(latents, count), last), windowed.Next(tail, from * Hop, last));
            previous = count;
            if (last)
            {
                break;
            }
        }
    }

    [Fact]
    public void Next_WindowAfterTheHeldOverlap_Throws()
    {
        var crossfade = new StreamCrossfade(4);
        crossfade.Next(new float[8], last: false);

        Assert.Throws<ArgumentException>(() => crossfade.Next(new float[8], offset: 6, last: false));
    }

    [Fact]
    public void Next_GrowthUnderTheOverlap_Throws()
    {
        var crossfade = new StreamCrossfade(4);
        crossfade.Next(new float[8], last: false);

        Assert.Throws<ArgumentException>(() => crossfade.Next(new float[10], last: false));
    }

    private sealed class FloatComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-6;

        public int GetHashCode(float obj) => 0;
    }
}
