namespace GrainServe.Generation;

public sealed class SequenceKvCacheTests
{
    [Fact]
    public void Reserve_PastCapacity_DoublesAndKeepsEveryPlane()
    {
        // 2 layers × key/value × 3 heads = 12 planes of head size 2.
        using var cache = new SequenceKvCache<float>(2, 3, 2, 512);
        for (var token = 0; token < 40; token++)
        {
            cache.Reserve(1);
            for (var plane = 0; plane < 12; plane++)
            {
                cache.Tail(plane, 1).Fill((plane * 1000) + token);
            }

            cache.Commit(1);
        }

        Assert.Equal(40, cache.Count);
        for (var plane = 0; plane < 12; plane++)
        {
            var expected = Enumerable.Range(0, 40).SelectMany(t => new float[] { (plane * 1000) + t, (plane * 1000) + t }).ToArray();
            Assert.Equal(expected, cache.Plane(plane).ToArray());
        }
    }

    [Fact]
    public void PlaneIndex_LayerKvHead_IsLayerMajor()
    {
        Assert.Equal(0, SequenceKvCache<float>.PlaneIndex(0, 0, 0, 4));
        Assert.Equal(4, SequenceKvCache<float>.PlaneIndex(0, 1, 0, 4));
        Assert.Equal(8 + 4 + 3, SequenceKvCache<float>.PlaneIndex(1, 1, 3, 4));
    }
}
