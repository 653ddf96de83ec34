namespace GrainServe.Generation;

/// <summary>
/// Accounts the KV cache in fixed-size blocks, as vLLM's block pool does: a sequence holding n tokens holds
/// ceil(n / block size) blocks. Pure bookkeeping; the step model owns the memory itself.
/// </summary>
internal sealed class KvBlockManager
{
    private readonly Dictionary<long, int> _held = [];

    public KvBlockManager(int totalBlocks, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBlocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        TotalBlocks = totalBlocks;
        BlockSize = blockSize;
    }

    public int TotalBlocks { get; }

    public int BlockSize { get; }

    public int UsedBlocks { get; private set; }

    public int FreeBlocks => TotalBlocks - UsedBlocks;

    /// <summary>The most tokens the whole pool holds.</summary>
    public long TotalTokens => (long)TotalBlocks * BlockSize;

    public int BlocksFor(int tokens) => tokens <= 0 ? 0 : (int)(((long)tokens + BlockSize - 1) / BlockSize);

    public int HeldBy(long sequenceId) => _held.GetValueOrDefault(sequenceId);

    /// <summary>
    /// Makes the sequence hold enough blocks for <paramref name="tokens"/> tokens, taking only the missing ones;
    /// false (and nothing taken) when the pool lacks them. Never shrinks a reservation.
    /// </summary>
    public bool TryReserve(long sequenceId, int tokens)
    {
        var held = _held.GetValueOrDefault(sequenceId);
        var missing = BlocksFor(tokens) - held;
        if (missing <= 0)
        {
            return true;
        }

        if (missing > FreeBlocks)
        {
            return false;
        }

        _held[sequenceId] = held + missing;
        UsedBlocks += missing;
        return true;
    }

    /// <summary>Returns all of the sequence's blocks to the pool; unknown ids are ignored.</summary>
    public void Free(long sequenceId)
    {
        if (_held.Remove(sequenceId, out var held))
        {
            UsedBlocks -= held;
        }
    }
}
