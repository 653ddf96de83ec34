using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

/// <summary>
/// The cross-attention inputs of one step: each row's <see cref="CrossAttentionState"/> stacked on the batch axis,
/// <c>[rows, heads, positions, head_size]</c> per layer, key and value. The stack is the largest thing a Whisper step
/// feeds (18 MB per row for whisper-tiny), so it is kept across steps with a slot per sequence: a sequence is copied in
/// once, when it first runs with others, and a released one's slot is filled by the last one (one copy), so the stack
/// stays contiguous and a batch in slot order (see <see cref="SlotOf"/>) is fed without any copy. A lone row's state
/// is fed as it is.
/// </summary>
/// <typeparam name="TKv">The KV element type.</typeparam>
internal sealed class CrossKvInputs<TKv>
    where TKv : unmanaged
{
    private readonly DecoderLayout _layout;
    private readonly TKv[][] _stacks;
    private readonly List<(long Sequence, CrossAttentionState State)> _slots = [];
    private readonly TKv[][] _scratch;

    public CrossKvInputs(DecoderLayout layout)
    {
        _layout = layout;
        Names = layout.CrossLayers.SelectMany(c => new[] { c.Key, c.Value }).ToArray();
        _stacks = new TKv[Names.Length][];
        _scratch = new TKv[Names.Length][];
    }

    /// <summary>The inputs' names: layer 0's key and value, then layer 1's, ...</summary>
    public string[] Names { get; }

    /// <summary>The sequence's slot in the stack, or <see cref="int.MaxValue"/> when it has none: the order rows should run in.</summary>
    public int SlotOf(long sequenceId)
    {
        for (var i = 0; i < _slots.Count; i++)
        {
            if (_slots[i].Sequence == sequenceId)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    /// <summary>Frees the sequence's slot, moving the last slot's state into it.</summary>
    public void Release(long sequenceId)
    {
        var slot = SlotOf(sequenceId);
        if (slot == int.MaxValue)
        {
            return;
        }

        var last = _slots.Count - 1;
        if (slot != last)
        {
            _slots[slot] = _slots[last];
            Copy(_slots[slot].State, _stacks, slot);
        }

        _slots.RemoveAt(last);
    }

    /// <summary>Adds the step's cross inputs to <paramref name="inputs"/>, in <see cref="Names"/> order.</summary>
    /// <exception cref="InvalidOperationException">An entry carries no cross-attention state, or rows disagree in encoder positions.</exception>
    public void Add(IReadOnlyList<StepEntry> entries, List<OrtValue> inputs)
    {
        var states = new CrossAttentionState[entries.Count];
        for (var b = 0; b < entries.Count; b++)
        {
            states[b] = entries[b].Conditioning as CrossAttentionState
                ?? throw new InvalidOperationException($"sequence {entries[b].SequenceId}: an encoder-decoder model needs the encoder's cross-attention state with every step");
            if (states[b].Positions != states[0].Positions || states[b].Keys.Count != _layout.CrossLayers.Count || states[b].Keys[0] is not TKv[])
            {
                throw new InvalidOperationException($"sequence {entries[b].SequenceId}: its cross-attention state ({states[b].Keys.Count} layers of {states[b].Positions} positions) does not fit this decoder or its batch");
            }
        }

        long[] shape = [states.Length, _layout.KvHeads, states[0].Positions, _layout.HeadSize];
        if (states.Length == 1)
        {
            for (var tensor = 0; tensor < Names.Length; tensor++)
            {
                inputs.Add(OrtValue.CreateTensorValueFromMemory((TKv[])Layer(states[0], tensor), shape));
            }

            return;
        }

        // Sequences new to the stack take the next slots; then the batch is fed from the stack when its rows are
        // exactly slots 0..n-1 in order (the engine's decodes, sorted by slot), else gathered into scratch.
        for (var b = 0; b < entries.Count; b++)
        {
            if (SlotOf(entries[b].SequenceId) == int.MaxValue)
            {
                if (states[b].Positions != (_slots.Count > 0 ? _slots[0].State.Positions : states[b].Positions))
                {
                    throw new InvalidOperationException($"sequence {entries[b].SequenceId}: {states[b].Positions} encoder positions, but the batch holds {_slots[0].State.Positions}");
                }

                _slots.Add((entries[b].SequenceId, states[b]));
                Copy(states[b], _stacks, _slots.Count - 1);
            }
        }

        var inOrder = true;
        for (var b = 0; b < entries.Count && inOrder; b++)
        {
            inOrder = _slots[b].Sequence == entries[b].SequenceId;
        }

        var rowLength = Layer(states[0], 0).Length;
        if (!inOrder)
        {
            for (var b = 0; b < states.Length; b++)
            {
                Copy(states[b], _scratch, b);
            }
        }

        var source = inOrder ? _stacks : _scratch;
        for (var tensor = 0; tensor < Names.Length; tensor++)
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, source[tensor].AsMemory(0, rowLength * states.Length), shape));
        }
    }

    // Writes a state into row `row` of the given per-tensor buffers, growing them (doubling) as needed.
    private void Copy(CrossAttentionState state, TKv[][] buffers, int row)
    {
        var rowLength = Layer(state, 0).Length;
        for (var tensor = 0; tensor < Names.Length; tensor++)
        {
            var needed = rowLength * (row + 1);
            if (buffers[tensor] is not { } buffer || buffer.Length < needed)
            {
                var grown = new TKv[Math.Max(needed, (buffers[tensor]?.Length ?? 0) * 2)];
                buffers[tensor]?.AsSpan(0, Math.Min(buffers[tensor].Length, rowLength * row)).CopyTo(grown);
                buffers[tensor] = grown;
            }

            ((TKv[])Layer(state, tensor)).CopyTo(buffers[tensor], row * rowLength);
        }
    }

    private static Array Layer(CrossAttentionState state, int tensor) => tensor % 2 == 0 ? state.Keys[tensor / 2] : state.Values[tensor / 2];
}
