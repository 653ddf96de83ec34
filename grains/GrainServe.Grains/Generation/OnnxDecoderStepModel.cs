using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>
/// The generation engine's step model over one ONNX Runtime session of a decoder-only model (Optimum /
/// onnxruntime-genai or legacy GPT-2 KV naming, see <see cref="DecoderLayout"/>). Every entry of a step goes into
/// one session run: with P the longest past and N the longest new chunk, each row is
/// <c>[left padding | its past | its new tokens | right padding]</c>, the attention mask is 1 on real tokens only and
/// the position ids are each token's true position, so each real query sees exactly its own sequence.
/// </summary>
/// <remarks>
/// <para>
/// What one step copies, with the cache in host memory (both backends so far, see <see cref="KvBinding"/>): for every layer, key and value,
/// each row's whole past into the padded past inputs (rows × P × KV heads × head size elements, the padding zeroed),
/// then back from present only the row's new vectors (rows × N × ...). The runtime itself reads the past and writes
/// present as P + N positions. So a decode step costs O(rows × P) copying per layer and grows linearly with the
/// longest context in the batch, and one long sequence makes every short one in its batch pay its P.
/// </para>
/// <para>
/// Input and output buffers are pooled and reused across steps; each sequence's cache grows in place, doubling its
/// capacity. <see cref="KvBinding.IoBinding"/> binds every step's tensors with <c>OrtIoBinding</c> onto buffers
/// allocated once per capacity, in device memory for the KV under CUDA (see <see cref="IoBindingKvStepBackend{TKv, TLogits}"/>
/// for what that path still copies); a per-sequence device store with past and present sharing one buffer would be
/// another <see cref="IKvStepBackend"/> under this class, unchanged.
/// </para>
/// <para>
/// Models whose attention is onnxruntime-genai's fused GroupQueryAttention (<see cref="DecoderLayout.FusedGroupQueryAttention"/>,
/// found in the file) read the past right-padded, with each row's length from the mask's sum, and write its new
/// vectors right after its own past. Their decodes, whatever their positions, share one right-padded run (row b's
/// past in positions [0, P_b) of the past tensors, zeros after; its mask ones on its P_b + 1 tokens, zeros after; its
/// new vectors read back from present at P_b), copying what a left-padded run copies. The operator runs a chunk of
/// more than one token after a past only at batch 1, so such a prefill chunk runs alone, and first chunks (no past)
/// run together only at the same length. Graphs without a mask or position ids share a run only among rows with the
/// same past and new lengths, which need no padding at all.
/// </para>
/// </remarks>
public sealed class OnnxDecoderStepModel : IStepModel
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly IKvStepBackend _backend;
    private readonly HashSet<long> _stepSequences = [];

    /// <summary>Serves <paramref name="session"/> as laid out by <paramref name="layout"/>; the model owns and disposes the session.</summary>
    /// <param name="session">The decoder's session.</param>
    /// <param name="layout">Its layout.</param>
    /// <param name="kvBinding">How steps reach the session; default <see cref="KvBinding.Host"/>.</param>
    /// <param name="cudaDeviceId">
    /// The CUDA device the session was created for, or null (the default) for the CPU provider. Only
    /// <see cref="KvBinding.IoBinding"/> uses it: it then puts the KV tensors in that device's memory, unless the
    /// session has no CUDA allocator (it fell back to the CPU provider). Ignored under <see cref="KvBinding.Host"/>.
    /// </param>
    public OnnxDecoderStepModel(InferenceSession session, DecoderLayout layout, KvBinding kvBinding = KvBinding.Host, int? cudaDeviceId = null)
    {
        _session = session;
        _layout = layout;
        // The IoBinding backend binds a mask and has no cross-attention inputs or hidden-state output: encoder-decoder,
        // mask-less and hidden-state decoders run on the host backend, which is also the one that delivers
        // cross-attention weights (StepEntry.Outputs).
        KvBinding = layout.IsEncoderDecoder || layout.AttentionMask is null || layout.HiddenStates is not null ? KvBinding.Host : kvBinding;
        _backend = KvBinding == KvBinding.IoBinding ? IoBinding(session, layout, cudaDeviceId) : Host(session, layout);
    }

    /// <summary>How steps reach the session: the one asked for, or <see cref="KvBinding.Host"/> where that one cannot serve the layout.</summary>
    public KvBinding KvBinding { get; }

    /// <summary>The layout the model was read with.</summary>
    public DecoderLayout Layout => _layout;

    /// <summary>
    /// Session runs made so far. A step runs its entries in one run or several (see the remarks: prefill chunks apart
    /// from the decodes, and rows that cannot be padded together apart), so this against the engine's steps says how
    /// much batching the layout allowed.
    /// </summary>
    public long SessionRuns { get; private set; }

    /// <inheritdoc />
    public int VocabularySize => _layout.VocabularySize;

    /// <inheritdoc />
    public int MaxContextLength => _layout.ContextLength;

    /// <inheritdoc />
    public long KvBytesPerToken => _layout.KvBytesPerToken;

    /// <summary>
    /// Opens <paramref name="modelPath"/> with <paramref name="options"/> (default options when null) and reads its
    /// layout with the <c>genai_config.json</c> of its folder, when there is one.
    /// </summary>
    /// <exception cref="ModelLoadException">ONNX Runtime cannot load the file, or it is not a decoder this class can serve; the message says why.</exception>
    /// <param name="modelPath">The decoder's .onnx file.</param>
    /// <param name="options">The session options; default options when null.</param>
    /// <param name="kvBinding">How steps reach the session; default <see cref="KvBinding.Host"/>.</param>
    public static OnnxDecoderStepModel Load(string modelPath, SessionOptions? options = null, KvBinding kvBinding = KvBinding.Host)
    {
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(modelPath) : new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"decoder '{modelPath}': ONNX Runtime cannot load it: {ex.Message}", ex);
        }

        try
        {
            return new OnnxDecoderStepModel(session, DecoderLayout.Read(session, Path.GetDirectoryName(Path.GetFullPath(modelPath)), modelPath), kvBinding);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">An entry's start differs from the tokens its sequence holds, a sequence appears twice, or a sequence would pass the context length.</exception>
    /// <exception cref="ArgumentException">An entry has no tokens.</exception>
    public StepLogits Run(IReadOnlyList<StepEntry> entries)
    {
        var rows = 0;
        _stepSequences.Clear();
        foreach (var entry in entries)
        {
            if (entry.Tokens.IsEmpty)
            {
                throw new ArgumentException($"sequence {entry.SequenceId}: an entry must feed at least one token", nameof(entries));
            }

            var held = _backend.Held(entry.SequenceId);
            if (entry.Start != held)
            {
                throw new InvalidOperationException($"sequence {entry.SequenceId}: entry starts at {entry.Start}, but its cache holds {held} tokens");
            }

            if (entry.Start + entry.Tokens.Length > _layout.ContextLength)
            {
                throw new InvalidOperationException($"sequence {entry.SequenceId}: {entry.Start} + {entry.Tokens.Length} tokens pass the context length {_layout.ContextLength}");
            }

            if (!_stepSequences.Add(entry.SequenceId))
            {
                throw new InvalidOperationException($"sequence {entry.SequenceId} appears twice in one step");
            }

            rows += entry.NeedsLogits ? 1 : 0;
        }

        var vocab = _layout.VocabularySize;
        var logits = new float[checked(rows * vocab)];
        var width = _layout.HiddenSize;
        var hidden = _layout.HiddenStates is null ? null : new float[checked(rows * width)];
        if (entries.Count == 0)
        {
            return new StepLogits(logits, rows, vocab, hidden, width);
        }

        // Padding multiplies the longest new chunk by the rows of the run (and the export computes logits at every
        // position): a 2000-token prefill batched with 30 decodes would pad all 31 rows to 2000 positions. So the
        // decodes (one token each) run together, and each prefill chunk runs alone. A graph without position_ids
        // derives positions itself, which left padding would shift (GPT-2's counts from the padded past length), and
        // one without a mask (Whisper's decoders) would attend to padding: there only rows with the same past and new
        // lengths, which need no padding, share a run. Fused GroupQueryAttention reads the past right-padded: its
        // decodes share one right-padded run; it runs a multi-token chunk after a past only at batch 1, so such a
        // chunk runs alone, and first chunks (no past) of the same length run together, unpadded.
        var runs = new List<List<int>>();
        var decodes = new List<int>();
        var unpadded = new Dictionary<(int Start, int Length), List<int>>();
        var fused = _layout.FusedGroupQueryAttention;
        for (var i = 0; i < entries.Count; i++)
        {
            if (fused && entries[i].Tokens.Length > 1 && entries[i].Start > 0)
            {
                runs.Add([i]);
            }
            else if (_layout.RightPadsRows && entries[i].Tokens.Length == 1)
            {
                decodes.Add(i);
            }
            else if (!_layout.PadsRows)
            {
                var key = (entries[i].Start, entries[i].Tokens.Length);
                if (!unpadded.TryGetValue(key, out var group))
                {
                    unpadded[key] = group = [];
                    runs.Add(group);
                }

                group.Add(i);
            }
            else if (entries[i].Tokens.Length == 1)
            {
                decodes.Add(i);
            }
            else
            {
                runs.Add([i]);
            }
        }

        if (decodes.Count > 0)
        {
            runs.Insert(0, decodes);
        }

        // Each run's rows in the backend's row order: a stacked encoder state then feeds without a copy. A stable sort,
        // so rows the backend does not order keep the engine's order.
        for (var r = 0; r < runs.Count; r++)
        {
            if (runs[r].Count > 1)
            {
                runs[r] = [.. runs[r].OrderBy(i => _backend.RowOrder(entries[i].SequenceId))];
            }
        }

        if (runs.Count == 1 && runs[0].Select((entry, row) => entry == row).All(same => same))
        {
            _backend.Run(entries, new StepPlan(entries, fused), logits, hidden);
            SessionRuns++;
            return new StepLogits(logits, rows, vocab, hidden, width);
        }

        // Each entry's logits row, in entry order, as the engine reads them.
        var rowOf = new int[entries.Count];
        for (int i = 0, row = 0; i < entries.Count; i++)
        {
            rowOf[i] = entries[i].NeedsLogits ? row++ : -1;
        }

        foreach (var run in runs)
        {
            var group = run.Select(i => entries[i]).ToList();
            var groupRows = group.Count(e => e.NeedsLogits);
            var groupLogits = new float[groupRows * vocab];
            var groupHidden = hidden is null ? null : new float[groupRows * width];
            _backend.Run(group, new StepPlan(group, fused), groupLogits, groupHidden);
            SessionRuns++;
            var next = 0;
            foreach (var i in run.Where(i => entries[i].NeedsLogits))
            {
                groupLogits.AsSpan(next * vocab, vocab).CopyTo(logits.AsSpan(rowOf[i] * vocab, vocab));
                groupHidden?.AsSpan(next * width, width).CopyTo(hidden.AsSpan(rowOf[i] * width, width));
                next++;
            }
        }

        return new StepLogits(logits, rows, vocab, hidden, width);
    }

    /// <inheritdoc />
    public void Release(long sequenceId) => _backend.Release(sequenceId);

    /// <inheritdoc />
    public long KvBytesHeld => _backend.KvBytesHeld;

    /// <summary>Runs whose past was the run before's present, taken without a copy (the host backend's steady batches).</summary>
    internal long ContinuedRuns => _backend.ContinuedRuns;

    /// <inheritdoc />
    public void ConfigureKvBlockSize(int blockSize) => _backend.KvBlockSize = blockSize;

    /// <inheritdoc />
    /// <remarks>
    /// Either backend copies the source's first tokens of every layer's self-attention keys and values into a new
    /// cache, block by block (cross-attention state is not copied: it comes with each step's entries, one object shared
    /// by the sequences that hold it). Both keep each sequence's cache in host memory; a device-resident cache would
    /// copy on the device instead.
    /// </remarks>
    public bool TryFork(long sourceId, long targetId, int tokens) => tokens > 0 && tokens <= _layout.ContextLength && _backend.TryFork(sourceId, targetId, tokens);

    private static IKvStepBackend Host(InferenceSession session, DecoderLayout layout) => (layout.KvType, layout.LogitsType) switch
    {
        (TensorElementType.Float16, TensorElementType.Float16) => new HostKvStepBackend<Float16, Float16>(session, layout),
        (TensorElementType.Float16, _) => new HostKvStepBackend<Float16, float>(session, layout),
        (_, TensorElementType.Float16) => new HostKvStepBackend<float, Float16>(session, layout),
        _ => new HostKvStepBackend<float, float>(session, layout),
    };

    private static IKvStepBackend IoBinding(InferenceSession session, DecoderLayout layout, int? cudaDeviceId) => (layout.KvType, layout.LogitsType) switch
    {
        (TensorElementType.Float16, TensorElementType.Float16) => new IoBindingKvStepBackend<Float16, Float16>(session, layout, cudaDeviceId),
        (TensorElementType.Float16, _) => new IoBindingKvStepBackend<Float16, float>(session, layout, cudaDeviceId),
        (_, TensorElementType.Float16) => new IoBindingKvStepBackend<float, Float16>(session, layout, cudaDeviceId),
        _ => new IoBindingKvStepBackend<float, float>(session, layout, cudaDeviceId),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _backend.Dispose();
        _session.Dispose();
    }
}
