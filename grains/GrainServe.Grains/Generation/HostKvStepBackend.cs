using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>
/// The KV cache in host arrays, copied into the session's inputs every step. Per step and layer it copies each
/// row's whole past into the padded past tensors (O(rows × P) vectors, P the longest past), lets the runtime
/// write present (O(rows × (P + N))) into reused output buffers, and copies back only each row's real new
/// vectors. Every buffer (ids, mask, positions, past, present, logits) is pooled and reused across steps, so a
/// step allocates only its <see cref="OrtValue"/> wrappers.
/// </summary>
/// <remarks>
/// A decode step that continues the last run (the same sequences in the same rows, each one token further, both runs
/// one new token a row) takes the last run's present as its past without copying: rows are left-padded to the longest
/// past, so present, <c>[padding | past | new]</c> at P + 1 positions, is exactly the next step's padded past. In a
/// steady batch that leaves a step's copying to the runtime's own (past into present) and each row's new vectors.
/// </remarks>
/// <typeparam name="TKv">The KV element type: <see cref="float"/> or <see cref="Float16"/>.</typeparam>
/// <typeparam name="TLogits">The logits element type: <see cref="float"/> or <see cref="Float16"/>.</typeparam>
internal sealed class HostKvStepBackend<TKv, TLogits> : IKvStepBackend
    where TKv : unmanaged
    where TLogits : unmanaged
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly RunOptions _runOptions = new();
    private readonly SequenceKvCaches<TKv> _caches;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly IntegerInput _ids;
    private readonly IntegerInput? _mask;
    private readonly CrossKvInputs<TKv>? _cross;
    private readonly IntegerInput? _positions;
    private readonly PooledBuffer<TKv>[] _past;
    private readonly PooledBuffer<TKv>[] _present;
    private readonly PooledBuffer<TLogits> _logits = new();
    private readonly PooledBuffer<float> _hidden = new();
    private readonly PaddedKvCopier<TKv> _copier;
    private readonly string[] _withWeights;
    private readonly int _weightHeads;
    private readonly int _weightPositions;
    private readonly bool[] _useCacheBranch = [true];
    private TKv[] _encoderHidden = [];

    // The last successful run, when every row of it took one new token: its rows' sequences and starts, and its
    // present length. A run that fails, or takes more than one token in a row, leaves none.
    private long[] _lastRows = [];
    private int[] _lastStarts = [];
    private int _lastTotal = -1;

    public HostKvStepBackend(InferenceSession session, DecoderLayout layout)
    {
        _session = session;
        _layout = layout;
        _copier = new PaddedKvCopier<TKv>(layout);
        _caches = new SequenceKvCaches<TKv>(layout);
        _ids = new IntegerInput(layout.InputIdsType);
        _mask = layout.AttentionMask is null ? null : new IntegerInput(layout.AttentionMaskType);
        _cross = layout.IsEncoderDecoder ? new CrossKvInputs<TKv>(layout) : null;
        _positions = layout.PositionIds is null ? null : new IntegerInput(layout.PositionIdsType);
        var pastNames = _copier.PastNames;
        var presentNames = _copier.PresentNames;
        _inputNames =
        [
            layout.InputIds,
            .. layout.AttentionMask is { } m ? new[] { m } : [],
            .. layout.PositionIds is { } p ? new[] { p } : [],
            .. pastNames,
            .. _cross?.Names ?? [],
            .. layout.UseCacheBranch is { } branch ? new[] { branch } : [],
            .. layout.EncoderHiddenStates is { } encoderHidden ? new[] { encoderHidden } : [],
        ];
        _outputNames = [layout.Logits, .. presentNames, .. layout.HiddenStates is { } hidden ? new[] { hidden } : []];
        _past = pastNames.Select(_ => new PooledBuffer<TKv>()).ToArray();
        _present = presentNames.Select(_ => new PooledBuffer<TKv>()).ToArray();
        _withWeights = [.. _outputNames, .. layout.CrossAttentionWeights];
        if (layout.CrossAttentionWeights.Count > 0)
        {
            var dims = session.OutputMetadata[layout.CrossAttentionWeights[0]].Dimensions;
            _weightHeads = dims.Length == 4 && dims[1] > 0 ? dims[1] : layout.KvHeads;
            _weightPositions = dims.Length == 4 ? dims[3] : -1;
        }
    }

    public int Held(long sequenceId) => _caches.Held(sequenceId);

    public int KvBlockSize
    {
        get => _caches.BlockSize;
        set => _caches.BlockSize = value;
    }

    public long KvBytesHeld => _caches.BytesHeld;

    public void Release(long sequenceId)
    {
        _caches.Release(sequenceId);
        _cross?.Release(sequenceId);
    }

    public int RowOrder(long sequenceId) => _cross?.SlotOf(sequenceId) ?? 0;

    public bool TryFork(long sourceId, long targetId, int tokens) => _caches.TryFork(sourceId, targetId, tokens);

    /// <summary>Runs whose past was the run before's present, taken without a copy.</summary>
    public long ContinuedRuns { get; private set; }

    public void Run(IReadOnlyList<StepEntry> entries, StepPlan plan, Span<float> logits, Span<float> hidden)
    {
        int rows = plan.Rows, pastLength = plan.PastLength, newLength = plan.NewLength, total = plan.TotalLength;
        var vocabulary = _layout.VocabularySize;
        var pastShape = _copier.Shape(rows, pastLength);
        var presentShape = _copier.Shape(rows, total);

        var ids = _ids.Prepare(rows * newLength);
        var mask = _mask?.Prepare(rows * total);
        var positions = _positions?.Prepare(rows * newLength);
        for (var b = 0; b < rows; b++)
        {
            var tokens = entries[b].Tokens.Span;
            for (var j = 0; j < tokens.Length; j++)
            {
                ids.Set((b * newLength) + j, tokens[j]);
                positions?.Set((b * newLength) + j, entries[b].Start + j);
            }

            for (var t = plan.PastOffset(b); t < plan.MaskEnd(b); t++)
            {
                mask?.Set((b * total) + t, 1);
            }
        }

        var continued = Continues(entries, plan);
        _lastTotal = -1;
        for (var tensor = 0; tensor < _past.Length; tensor++)
        {
            if (continued)
            {
                // The last present holds rows × (P + 1) positions, this past's rows × P' with P' = P + 1: the same elements.
                (_past[tensor], _present[tensor]) = (_present[tensor], _past[tensor]);
                _past[tensor].Prepare(_copier.Elements(rows, pastLength), clear: false);
            }
            else
            {
                _copier.GatherPast(_past[tensor].Prepare(_copier.Elements(rows, pastLength), clear: false), tensor, entries, plan, _caches.ById);
            }
        }

        ContinuedRuns += continued ? 1 : 0;

        float[][]? weights = null;
        var inputs = new List<OrtValue>(_inputNames.Length);
        var outputs = new List<OrtValue>(_outputNames.Length);
        try
        {
            inputs.Add(_ids.Create([rows, newLength]));
            if (_mask is not null)
            {
                inputs.Add(_mask.Create([rows, total]));
            }

            if (_positions is not null)
            {
                inputs.Add(_positions.Create([rows, newLength]));
            }

            foreach (var buffer in _past)
            {
                inputs.Add(buffer.Create(pastShape));
            }

            _cross?.Add(entries, inputs);
            AddMergedDecoderInputs(rows, inputs);

            _logits.Prepare(rows * newLength * vocabulary, clear: false);
            outputs.Add(_logits.Create([rows, newLength, vocabulary]));
            foreach (var buffer in _present)
            {
                buffer.Prepare(_copier.Elements(rows, total), clear: false);
                outputs.Add(buffer.Create(presentShape));
            }

            if (_layout.HiddenStates is not null)
            {
                _hidden.Prepare(rows * newLength * _layout.HiddenSize, clear: false);
                outputs.Add(_hidden.Create([rows, newLength, _layout.HiddenSize]));
            }

            weights = WeightsWanted(entries) ? AddWeights(entries, plan, outputs) : null;
            _session.Run(_runOptions, _inputNames, inputs, weights is null ? _outputNames : _withWeights, outputs);
        }
        finally
        {
            foreach (var value in inputs.Concat(outputs))
            {
                value.Dispose();
            }
        }

        // Only a successful run touches the caches, so a failed step leaves every sequence as it was.
        _caches.Append(entries, plan, _copier, tensor => _present[tensor].Span);
        Remember(entries, plan);
        SequenceKvCaches<TKv>.WriteLastLogits<TLogits>(entries, plan, _logits.Span, vocabulary, logits);
        if (_layout.HiddenStates is not null)
        {
            SequenceKvCaches<TKv>.WriteLastLogits<float>(entries, plan, _hidden.Span, _layout.HiddenSize, hidden);
        }

        if (weights is not null)
        {
            DeliverWeights(entries, plan, weights);
        }
    }

    // Whether this run continues the last one: the same sequences in the same rows, each one token further, one new
    // token a row in both runs, so the last present is this run's padded past.
    private bool Continues(IReadOnlyList<StepEntry> entries, StepPlan plan)
    {
        // Only left padding makes present the next padded past; a right-padded (fused GQA) row's present has room after it.
        if (plan.RightPadded || _lastTotal != plan.PastLength || plan.NewLength != 1 || entries.Count != _lastRows.Length)
        {
            return false;
        }

        for (var b = 0; b < entries.Count; b++)
        {
            if (entries[b].SequenceId != _lastRows[b] || entries[b].Start != _lastStarts[b] + 1 || plan.New[b] != 1)
            {
                return false;
            }
        }

        return true;
    }

    private void Remember(IReadOnlyList<StepEntry> entries, StepPlan plan)
    {
        if (plan.RightPadded || plan.NewLength != 1 || plan.New.Any(n => n != 1))
        {
            return;
        }

        if (_lastRows.Length != entries.Count)
        {
            _lastRows = new long[entries.Count];
            _lastStarts = new int[entries.Count];
        }

        for (var b = 0; b < entries.Count; b++)
        {
            _lastRows[b] = entries[b].SequenceId;
            _lastStarts[b] = entries[b].Start;
        }

        _lastTotal = plan.TotalLength;
    }

    // An Optimum merged decoder runs its with-past branch at every step (the cross-attention state is the past), and
    // declares the no-past branch's encoder_hidden_states too, which that branch never reads: one zero position per row.
    private void AddMergedDecoderInputs(int rows, List<OrtValue> inputs)
    {
        if (_layout.UseCacheBranch is not null)
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(_useCacheBranch, [1]));
        }

        if (_layout.EncoderHiddenStates is not null)
        {
            if (_encoderHidden.Length < rows * _layout.EncoderHiddenSize)
            {
                _encoderHidden = new TKv[rows * _layout.EncoderHiddenSize];
            }

            inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _encoderHidden.AsMemory(0, rows * _layout.EncoderHiddenSize), [rows, 1, _layout.EncoderHiddenSize]));
        }
    }

    // Cross-attention weights are computed only for a step with a sequence that asks for them: they are rows × heads ×
    // N × encoder positions floats per layer (a 230-token alignment prefill of whisper-tiny: 8 MB), which a plain
    // decode step has no use for.
    private bool WeightsWanted(IReadOnlyList<StepEntry> entries)
    {
        if (_layout.CrossAttentionWeights.Count == 0)
        {
            return false;
        }

        foreach (var entry in entries)
        {
            if (entry.Outputs is not null)
            {
                return true;
            }
        }

        return false;
    }

    private float[][] AddWeights(IReadOnlyList<StepEntry> entries, StepPlan plan, List<OrtValue> outputs)
    {
        var positions = _weightPositions > 0 ? _weightPositions : (entries[0].Conditioning as CrossAttentionState)?.Positions
            ?? throw new InvalidOperationException("the cross-attention weights' encoder positions are unknown: the step has no cross-attention state");
        var weights = new float[_layout.CrossAttentionWeights.Count][];
        for (var layer = 0; layer < weights.Length; layer++)
        {
            weights[layer] = new float[plan.Rows * _weightHeads * plan.NewLength * positions];
            outputs.Add(OrtValue.CreateTensorValueFromMemory(weights[layer], [plan.Rows, _weightHeads, plan.NewLength, positions]));
        }

        return weights;
    }

    // Hands each asking entry its rows: [heads, its new tokens, positions] of [rows, heads, N, positions], its new
    // tokens being the first of the N (the ids are right-padded on that axis).
    private void DeliverWeights(IReadOnlyList<StepEntry> entries, StepPlan plan, float[][] weights)
    {
        var positions = weights[0].Length / (plan.Rows * _weightHeads * plan.NewLength);
        for (var b = 0; b < entries.Count; b++)
        {
            if (entries[b].Outputs is not { } sink)
            {
                continue;
            }

            var count = plan.New[b];
            var outputs = new StepOutput[weights.Length];
            for (var layer = 0; layer < weights.Length; layer++)
            {
                var data = new float[_weightHeads * count * positions];
                for (var h = 0; h < _weightHeads; h++)
                {
                    weights[layer].AsSpan((((b * _weightHeads) + h) * plan.NewLength) * positions, count * positions)
                        .CopyTo(data.AsSpan(h * count * positions));
                }

                outputs[layer] = new StepOutput(_layout.CrossAttentionWeights[layer], data, [_weightHeads, count, positions]);
            }

            sink.Receive(entries[b].Start, count, outputs);
        }
    }

    public void Dispose()
    {
        _caches.Dispose();
        foreach (var buffer in _past.Concat(_present))
        {
            buffer.Dispose();
        }

        _logits.Dispose();
        _hidden.Dispose();
        _ids.Dispose();
        _mask?.Dispose();
        _positions?.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>Widens a row of logits to float; shared with <see cref="IoBindingKvStepBackend{TKv, TLogits}"/>.</summary>
    internal static void ToFloat(ReadOnlySpan<TLogits> source, Span<float> destination)
    {
        if (typeof(TLogits) == typeof(float))
        {
            MemoryMarshal.Cast<TLogits, float>(source).CopyTo(destination);
            return;
        }

        var bits = MemoryMarshal.Cast<TLogits, ushort>(source);
        for (var i = 0; i < bits.Length; i++)
        {
            destination[i] = (float)BitConverter.UInt16BitsToHalf(bits[i]);
        }
    }

    /// <summary>A pooled array reused across steps, grown when a step needs more.</summary>
    private sealed class PooledBuffer<T> : IDisposable
        where T : unmanaged
    {
        // Never empty, so a tensor with a zero-length dimension still has a valid address.
        private T[] _array = ArrayPool<T>.Shared.Rent(1);

        public int Length { get; private set; }

        public Span<T> Span => _array.AsSpan(0, Length);

        public Span<T> Prepare(int length, bool clear = true)
        {
            if (_array.Length < length)
            {
                ArrayPool<T>.Shared.Return(_array);
                _array = ArrayPool<T>.Shared.Rent(length);
            }

            Length = length;
            if (clear)
            {
                Span.Clear();
            }

            return Span;
        }

        public OrtValue Create(long[] shape) => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _array.AsMemory(0, Length), shape);

        public void Dispose() => ArrayPool<T>.Shared.Return(_array);
    }

    /// <summary>An int32 or int64 input (ids, mask, positions), cleared to 0 each step.</summary>
    private sealed class IntegerInput(TensorElementType type) : IDisposable
    {
        private readonly PooledBuffer<int> _int32 = new();
        private readonly PooledBuffer<long> _int64 = new();

        public IntegerInput Prepare(int length)
        {
            if (type == TensorElementType.Int32)
            {
                _int32.Prepare(length);
            }
            else
            {
                _int64.Prepare(length);
            }

            return this;
        }

        public void Set(int index, long value)
        {
            if (type == TensorElementType.Int32)
            {
                _int32.Span[index] = (int)value;
            }
            else
            {
                _int64.Span[index] = value;
            }
        }

        public OrtValue Create(long[] shape) => type == TensorElementType.Int32 ? _int32.Create(shape) : _int64.Create(shape);

        public void Dispose()
        {
            _int32.Dispose();
            _int64.Dispose();
        }
    }
}
