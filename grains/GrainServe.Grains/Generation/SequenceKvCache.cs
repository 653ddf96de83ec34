using System.Runtime.CompilerServices;

namespace GrainServe.Generation;

/// <summary>
/// One sequence's KV cache in host memory, in blocks of the engine's <c>block_size</c> tokens as its
/// <see cref="KvBlockManager"/> accounts them: each block holds, for every layer, key and value, and KV head (a "plane"),
/// its tokens' vectors back to back, <c>[planes, block_size, head_size]</c>. A sequence holding n tokens holds exactly
/// ceil(n / block_size) blocks, the blocks the scheduler reserved for it, so the host bytes held never pass what the
/// pool accounts; appending writes after the held tokens in place, and growing adds a block without copying the rest.
/// </summary>
internal sealed class SequenceKvCache<T> : IDisposable
    where T : unmanaged
{
    /// <summary>The engine's default block size (vLLM's), for a cache whose engine has not said.</summary>
    public const int DefaultBlockSize = 16;

    private readonly int _planes;
    private readonly int _headSize;
    private readonly int _blockSize;
    private readonly List<T[]> _blocks = [];

    public SequenceKvCache(int layers, int kvHeads, int headSize, int blockSize = DefaultBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _planes = layers * 2 * kvHeads;
        _headSize = headSize;
        _blockSize = blockSize;
    }

    /// <summary>Tokens held.</summary>
    public int Count { get; private set; }

    /// <summary>Tokens the held blocks have room for.</summary>
    public int Capacity => _blocks.Count * _blockSize;

    /// <summary>Host bytes the cache's blocks hold.</summary>
    public long BytesHeld => (long)_blocks.Count * BlockElements * Unsafe.SizeOf<T>();

    private int BlockElements => _planes * _blockSize * _headSize;

    /// <summary>Plane index of a layer's key (<paramref name="kv"/> 0) or value (1) for one KV head.</summary>
    public static int PlaneIndex(int layer, int kv, int head, int kvHeads) => ((layer * 2) + kv) * kvHeads + head;

    /// <summary>Copies the held tokens of one plane, <c>[Count, head_size]</c>, to the start of <paramref name="destination"/>.</summary>
    public void CopyPlane(int plane, Span<T> destination)
    {
        var copied = 0;
        for (var block = 0; copied < Count; block++)
        {
            var tokens = Math.Min(_blockSize, Count - copied);
            _blocks[block].AsSpan(plane * _blockSize * _headSize, tokens * _headSize).CopyTo(destination[(copied * _headSize)..]);
            copied += tokens;
        }
    }

    /// <summary>
    /// Writes <paramref name="vectors"/> (<c>[tokens, head_size]</c>) into one plane after the held tokens, in room made by
    /// <see cref="Reserve"/>; they count once <see cref="Commit"/> says so.
    /// </summary>
    public void WriteTail(int plane, ReadOnlySpan<T> vectors)
    {
        var token = Count;
        while (!vectors.IsEmpty)
        {
            var inBlock = token % _blockSize;
            var tokens = Math.Min(_blockSize - inBlock, vectors.Length / _headSize);
            vectors[..(tokens * _headSize)].CopyTo(_blocks[token / _blockSize].AsSpan(((plane * _blockSize) + inBlock) * _headSize));
            vectors = vectors[(tokens * _headSize)..];
            token += tokens;
        }
    }

    /// <summary>Makes room for <paramref name="tokens"/> more tokens, a whole block at a time.</summary>
    public void Reserve(int tokens)
    {
        while (Capacity < Count + tokens)
        {
            _blocks.Add(new T[BlockElements]);
        }
    }

    /// <summary>
    /// Makes <paramref name="target"/>, an empty cache of the same shape and block size, hold a copy of this cache's first
    /// <paramref name="tokens"/> tokens (a fork), whole blocks at a time: it then holds the blocks those tokens take.
    /// </summary>
    public void CopyPrefixTo(SequenceKvCache<T> target, int tokens)
    {
        target.Reserve(tokens);
        for (var block = 0; block * _blockSize < tokens; block++)
        {
            _blocks[block].AsSpan().CopyTo(target._blocks[block]);
        }

        target.Count = tokens;
    }

    /// <summary>Counts <paramref name="tokens"/> written through <see cref="WriteTail"/> as held.</summary>
    public void Commit(int tokens) => Count += tokens;

    public void Dispose()
    {
        _blocks.Clear();
        Count = 0;
    }
}
