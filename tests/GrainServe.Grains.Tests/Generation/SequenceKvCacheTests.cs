namespace GrainServe.Generation;

public sealed class SequenceKvCacheTests
{
    [Fact]
    public void Reserve_PastCapacity_GrowsByWholeBlocksAndKeepsEveryPlane()
    {
        // 2 layers × key/value × 3 heads = 12 planes of head size 2, in blocks of 16 tokens; appends of 1 to 7 tokens
        // cross block boundaries.
        using var cache = new SequenceKvCache<float>(2, 3, 2, blockSize: 16);
        var token = 0;
        for (var step = 0; token < 40; step++)
        {
            var tokens = Math.Min((step % 7) + 1, 40 - token);
            cache.Reserve(tokens);
            for (var plane = 0; plane < 12; plane++)
            {
                cache.WriteTail(plane, Enumerable.Range(token, tokens).SelectMany(t => new float[] { (plane * 1000) + t, (plane * 1000) + t }).ToArray());
            }

            cache.Commit(tokens);
            token += tokens;
            // Exactly the blocks the engine's pool accounts for the tokens held: ceil(n / 16), 12 × 16 × 2 floats each.
            Assert.Equal((token + 15) / 16 * 16, cache.Capacity);
            Assert.Equal((long)((token + 15) / 16) * 12 * 16 * 2 * sizeof(float), cache.BytesHeld);
        }

        Assert.Equal(40, cache.Count);
        for (var plane = 0; plane < 12; plane++)
        {
            var expected = Enumerable.Range(0, 40).SelectMany(t => new float[] { (plane * 1000) + t, (plane * 1000) + t }).ToArray();
            var copied = new float[40 * 2];
            cache.CopyPlane(plane, copied);
            Assert.Equal(expected, copied);
        }

        cache.Dispose();
        Assert.Equal(0, cache.BytesHeld);
    }

    [Fact]
    public void PlaneIndex_LayerKvHead_IsLayerMajor()
    {
        Assert.Equal(0, SequenceKvCache<float>.PlaneIndex(0, 0, 0, 4));
        Assert.Equal(4, SequenceKvCache<float>.PlaneIndex(0, 1, 0, 4));
        Assert.Equal(8 + 4 + 3, SequenceKvCache<float>.PlaneIndex(1, 1, 3, 4));
    }
}
