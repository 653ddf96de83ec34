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
/// What one step copies, with the cache in host memory (the only backend so far): for every layer, key and value,
/// each row's whole past into the padded past inputs (rows × P × KV heads × head size elements, the padding zeroed),
/// then back from present only the row's new vectors (rows × N × ...). The runtime itself reads the past and writes
/// present as P + N positions. So a decode step costs O(rows × P) copying per layer and grows linearly with the
/// longest context in the batch, and one long sequence makes every short one in its batch pay its P.
/// </para>
/// <para>
/// Input and output buffers are pooled and reused across steps; each sequence's cache grows in place, doubling its
/// capacity. The seam for keeping the KV on the device (CUDA, <c>OrtIoBinding</c> over preallocated buffers,
/// past and present sharing one buffer) is the internal <see cref="IKvStepBackend"/>: such a backend replaces
/// <see cref="HostKvStepBackend{TKv, TLogits}"/> under this class unchanged.
/// </para>
/// <para>
/// Models whose attention is onnxruntime-genai's fused GroupQueryAttention read the past as right-padded with
/// per-row lengths from the mask, not left-padded: this layout is checked on graphs with ordinary (or ORT's
/// unidirectional <c>Attention</c>) causal masking only.
/// </para>
/// </remarks>
public sealed class OnnxDecoderStepModel : IStepModel
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly IKvStepBackend _backend;
    private readonly HashSet<long> _stepSequences = [];

    /// <summary>Serves <paramref name="session"/> as laid out by <paramref name="layout"/>; the model owns and disposes the session.</summary>
    public OnnxDecoderStepModel(InferenceSession session, DecoderLayout layout)
    {
        _session = session;
        _layout = layout;
        _backend = (layout.KvType, layout.LogitsType) switch
        {
            (TensorElementType.Float16, TensorElementType.Float16) => new HostKvStepBackend<Float16, Float16>(session, layout),
            (TensorElementType.Float16, _) => new HostKvStepBackend<Float16, float>(session, layout),
            (_, TensorElementType.Float16) => new HostKvStepBackend<float, Float16>(session, layout),
            _ => new HostKvStepBackend<float, float>(session, layout),
        };
    }

    /// <summary>The layout the model was read with.</summary>
    public DecoderLayout Layout => _layout;

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
    public static OnnxDecoderStepModel Load(string modelPath, SessionOptions? options = null)
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
            return new OnnxDecoderStepModel(session, DecoderLayout.Read(session, Path.GetDirectoryName(Path.GetFullPath(modelPath))));
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

        var logits = new float[rows * _layout.VocabularySize];
        if (entries.Count > 0)
        {
            _backend.Run(entries, new StepPlan(entries), logits);
        }

        return new StepLogits(logits, rows, _layout.VocabularySize);
    }

    /// <inheritdoc />
    public void Release(long sequenceId) => _backend.Release(sequenceId);

    /// <inheritdoc />
    public void Dispose()
    {
        _backend.Dispose();
        _session.Dispose();
    }
}
