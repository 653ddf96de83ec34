namespace GrainServe.Generation;

public sealed class KvBlockManagerTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(16, 1)]
    [InlineData(17, 2)]
    [InlineData(48, 3)]
    public void BlocksFor_Tokens_IsCeilingOfBlockSize(int tokens, int blocks)
    {
        Assert.Equal(blocks, new KvBlockManager(10, 16).BlocksFor(tokens));
    }

    [Fact]
    public void TryReserve_Growing_TakesOnlyTheMissingBlocks()
    {
        var pool = new KvBlockManager(4, 16);

        Assert.True(pool.TryReserve(1, 10));
        Assert.True(pool.TryReserve(1, 16));
        Assert.Equal(1, pool.UsedBlocks);
        Assert.True(pool.TryReserve(1, 33));
        Assert.Equal(3, pool.UsedBlocks);
        Assert.True(pool.TryReserve(1, 5));
        Assert.Equal(3, pool.HeldBy(1));
    }

    [Fact]
    public void TryReserve_PastThePool_FailsAndTakesNothing()
    {
        var pool = new KvBlockManager(4, 16);
        Assert.True(pool.TryReserve(1, 40));

        Assert.False(pool.TryReserve(2, 17));
        Assert.Equal(0, pool.HeldBy(2));
        Assert.Equal(3, pool.UsedBlocks);
        Assert.True(pool.TryReserve(2, 16));
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void Free_Sequence_ReturnsItsBlocksAndIgnoresUnknownIds()
    {
        var pool = new KvBlockManager(4, 16);
        pool.TryReserve(1, 64);

        pool.Free(1);
        pool.Free(99);

        Assert.Equal(0, pool.UsedBlocks);
        Assert.Equal(4, pool.FreeBlocks);
    }
}
