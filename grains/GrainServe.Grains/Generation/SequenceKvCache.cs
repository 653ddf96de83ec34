using System.Buffers;

namespace GrainServe.Generation;

/// <summary>
/// One sequence's KV cache in host memory: for every layer, key and value, and KV head (a "plane"), its tokens'
/// vectors back to back, <c>[planes, capacity, head_size]</c> in one pooled array. Appending writes after the held
/// tokens; when capacity runs out it doubles (capped at the context length) and the planes are copied once.
/// </summary>
internal sealed class SequenceKvCache<T> : IDisposable
    where T : unmanaged
{
    private const int MinimumCapacity = 16;

    private readonly int _planes;
    private readonly int _headSize;
    private readonly int _maxTokens;
    private T[] _data = [];
    private int _capacity;

    public SequenceKvCache(int layers, int kvHeads, int headSize, int maxTokens)
    {
        _planes = layers * 2 * kvHeads;
        _headSize = headSize;
        _maxTokens = maxTokens;
    }

    /// <summary>Tokens held.</summary>
    public int Count { get; private set; }

    /// <summary>Plane index of a layer's key (<paramref name="kv"/> 0) or value (1) for one KV head.</summary>
    public static int PlaneIndex(int layer, int kv, int head, int kvHeads) => ((layer * 2) + kv) * kvHeads + head;

    /// <summary>The held tokens of one plane, <c>[Count, head_size]</c>.</summary>
    public ReadOnlySpan<T> Plane(int plane) => _data.AsSpan(plane * _capacity * _headSize, Count * _headSize);

    /// <summary>Room for <paramref name="tokens"/> tokens after the held ones in one plane; valid until <see cref="Commit"/> or the next <see cref="Reserve"/>.</summary>
    public Span<T> Tail(int plane, int tokens) => _data.AsSpan(((plane * _capacity) + Count) * _headSize, tokens * _headSize);

    /// <summary>Makes room for <paramref name="tokens"/> more tokens, doubling the capacity when it runs out.</summary>
    public void Reserve(int tokens)
    {
        var needed = Count + tokens;
        if (needed <= _capacity)
        {
            return;
        }

        var capacity = Math.Max(needed, Math.Min(Math.Max(_capacity * 2, MinimumCapacity), _maxTokens));
        var data = ArrayPool<T>.Shared.Rent(_planes * capacity * _headSize);
        for (var plane = 0; plane < _planes && Count > 0; plane++)
        {
            Plane(plane).CopyTo(data.AsSpan(plane * capacity * _headSize));
        }

        ReturnData();
        _data = data;
        _capacity = capacity;
    }

    /// <summary>Counts <paramref name="tokens"/> written through <see cref="Tail"/> as held.</summary>
    public void Commit(int tokens) => Count += tokens;

    public void Dispose()
    {
        ReturnData();
        _data = [];
        _capacity = 0;
        Count = 0;
    }

    private void ReturnData()
    {
        if (_data.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_data);
        }
    }
}
