using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>
/// Runs a decoder the plain way: the whole sequence in one session run with empty past tensors, mask all ones and
/// positions 0..n-1, giving the logits at every position. What the step model must reproduce step by step.
/// </summary>
internal sealed class ReferenceDecoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;

    public ReferenceDecoder(string modelPath, string folder)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(modelPath, options);
        _layout = DecoderLayout.Read(_session, folder);
    }

    /// <summary>Logits per position, [tokens.Length][vocab].</summary>
    public float[][] Logits(params int[] tokens)
    {
        var n = tokens.Length;
        var values = new Dictionary<string, OrtValue>
        {
            [_layout.InputIds] = Integers(_layout.InputIdsType, tokens.Select(t => (long)t), n),
        };
        if (_layout.AttentionMask is { } mask)
        {
            values[mask] = Integers(_layout.AttentionMaskType, Enumerable.Repeat(1L, n), n);
        }

        if (_layout.PositionIds is { } positions)
        {
            values[positions] = Integers(_layout.PositionIdsType, Enumerable.Range(0, n).Select(i => (long)i), n);
        }

        long[] emptyPast = _layout.KvNaming == KvNaming.Stacked ? [2, 1, _layout.KvHeads, 0, _layout.HeadSize] : [1, _layout.KvHeads, 0, _layout.HeadSize];
        foreach (var name in _layout.Layers.SelectMany(l => new[] { l.PastKey, l.PastValue }).OfType<string>())
        {
            values[name] = _layout.KvType == TensorElementType.Float16
                ? OrtValue.CreateTensorValueFromMemory(new Float16[1], emptyPast)
                : OrtValue.CreateTensorValueFromMemory(new float[1], emptyPast);
        }

        try
        {
            using var results = _session.Run(new RunOptions(), values, [_layout.Logits]);
            var flat = results[0].GetTensorDataAsSpan<float>().ToArray();
            var vocabulary = _layout.VocabularySize;
            return Enumerable.Range(0, n).Select(i => flat[(i * vocabulary)..((i + 1) * vocabulary)]).ToArray();
        }
        finally
        {
            foreach (var value in values.Values)
            {
                value.Dispose();
            }
        }
    }

    public void Dispose() => _session.Dispose();

    private static OrtValue Integers(TensorElementType type, IEnumerable<long> values, int n) => type == TensorElementType.Int32
        ? OrtValue.CreateTensorValueFromMemory(values.Select(v => (int)v).ToArray(), [1, n])
        : OrtValue.CreateTensorValueFromMemory(values.ToArray(), [1, n]);
}
