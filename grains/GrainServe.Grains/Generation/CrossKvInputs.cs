using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

/// <summary>
/// The cross-attention inputs of one step: each row's <see cref="CrossAttentionState"/> stacked on the batch axis,
/// <c>[rows, heads, positions, head_size]</c> per layer, key and value. The stack is the largest thing a Whisper step
/// feeds (18 MB per row for whisper-tiny), and it only changes when a sequence joins or leaves the batch, so it is
/// rebuilt only then; a lone row's state is fed as it is, without a copy.
/// </summary>
/// <typeparam name="TKv">The KV element type.</typeparam>
internal sealed class CrossKvInputs<TKv>
    where TKv : unmanaged
{
    private readonly DecoderLayout _layout;
    private readonly TKv[][] _stacks;
    private CrossAttentionState[] _stacked = [];

    public CrossKvInputs(DecoderLayout layout)
    {
        _layout = layout;
        Names = layout.CrossLayers.SelectMany(c => new[] { c.Key, c.Value }).ToArray();
        _stacks = new TKv[Names.Length][];
    }

    /// <summary>The inputs' names: layer 0's key and value, then layer 1's, ...</summary>
    public string[] Names { get; }

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

        if (!states.SequenceEqual(_stacked))
        {
            Stack(states);
        }

        var rowLength = Layer(states[0], 0).Length;
        for (var tensor = 0; tensor < Names.Length; tensor++)
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _stacks[tensor].AsMemory(0, rowLength * states.Length), shape));
        }
    }

    private void Stack(CrossAttentionState[] states)
    {
        var rowLength = Layer(states[0], 0).Length;
        for (var tensor = 0; tensor < Names.Length; tensor++)
        {
            var stack = _stacks[tensor];
            if (stack is null || stack.Length < rowLength * states.Length)
            {
                _stacks[tensor] = stack = new TKv[rowLength * states.Length];
            }

            for (var b = 0; b < states.Length; b++)
            {
                ((TKv[])Layer(states[b], tensor)).CopyTo(stack, b * rowLength);
            }
        }

        _stacked = states;
    }

    private static Array Layer(CrossAttentionState state, int tensor) => tensor % 2 == 0 ? state.Keys[tensor / 2] : state.Values[tensor / 2];
}
