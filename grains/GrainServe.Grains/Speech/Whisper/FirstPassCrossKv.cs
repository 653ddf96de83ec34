using GrainServe.Generation;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Hugging Face Optimum's first decoder pass, run once per window to turn the encoder's <c>last_hidden_state</c> into
/// the decoder's cross-attention keys and values (<c>present.{i}.encoder.key</c>/<c>.value</c>): Optimum's encoder
/// does not project them, its decoder does, in the no-past branch of <c>decoder_model_merged.onnx</c>
/// (<c>use_cache_branch</c> false) or in <c>decoder_model.onnx</c>. The pass feeds one token and an empty past; its
/// logits and self-attention KV are dropped, and the sequence's decoding then runs on the engine with this state as its
/// cross-attention past, exactly as onnxruntime-genai's encoder output is used.
/// </summary>
internal sealed class FirstPassCrossKv : IDisposable
{
    private readonly InferenceSession _session;
    private readonly bool _ownsSession;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputIds;
    private readonly TensorElementType _idsType;
    private readonly string _hiddenStates;
    private readonly string? _useCacheBranch;
    private readonly string[] _pasts;
    private readonly string[] _outputs;
    private readonly int _heads;
    private readonly int _headSize;
    private readonly int _token;

    /// <param name="session">The merged decoder's session (shared with the engine's step model, not owned) or <c>decoder_model.onnx</c>'s (owned).</param>
    /// <param name="ownsSession">Whether disposing this disposes <paramref name="session"/>.</param>
    /// <param name="decoder">The engine's decoder layout: layers, heads and head size the state must fit.</param>
    /// <param name="source">The file, for errors.</param>
    /// <exception cref="ModelLoadException">The graph does not take <c>encoder_hidden_states</c> or does not output every layer's <c>present.{i}.encoder.*</c>.</exception>
    public FirstPassCrossKv(InferenceSession session, bool ownsSession, DecoderLayout decoder, string source)
    {
        string Fail(string why) => throw new ModelLoadException($"decoder '{source}': {why}");

        _session = session;
        _ownsSession = ownsSession;
        _heads = decoder.KvHeads;
        _headSize = decoder.HeadSize;
        _token = decoder.BosTokenId ?? 0;
        var inputs = session.InputMetadata;
        _inputIds = decoder.InputIds;
        _hiddenStates = decoder.EncoderHiddenStates ?? "encoder_hidden_states";
        if (!inputs.TryGetValue(_inputIds, out var ids) || ids.ElementDataType is not (TensorElementType.Int32 or TensorElementType.Int64))
        {
            Fail($"no integer input '{_inputIds}' for the first pass (it has {string.Join(", ", inputs.Keys)})");
        }

        _idsType = ids!.ElementDataType;
        if (!inputs.TryGetValue(_hiddenStates, out var hidden) || hidden.ElementDataType != TensorElementType.Float || hidden.Dimensions.Length != 3)
        {
            Fail($"no float input '{_hiddenStates}' [batch, encoder_positions, hidden]: Optimum's first pass projects the encoder's output with it (it has {string.Join(", ", inputs.Keys)})");
        }

        _useCacheBranch = inputs.ContainsKey(decoder.UseCacheBranch ?? "use_cache_branch") ? decoder.UseCacheBranch ?? "use_cache_branch" : null;

        // The merged graph declares the with-past branch's inputs too; the no-past branch ignores them, so they go in empty.
        _pasts = [.. inputs.Keys.Where(n => n != _inputIds && n != _hiddenStates && n != _useCacheBranch)];
        foreach (var name in _pasts)
        {
            if (inputs[name].ElementDataType != TensorElementType.Float || inputs[name].Dimensions.Length != 4)
            {
                Fail($"input '{name}' is {inputs[name].ElementDataType} [{string.Join(", ", inputs[name].Dimensions)}]; the first pass expects only ids, '{_hiddenStates}', past KV and use_cache_branch");
            }
        }

        var outputs = session.OutputMetadata;
        _outputs = new string[decoder.CrossLayers.Count * 2];
        for (var layer = 0; layer < decoder.CrossLayers.Count; layer++)
        {
            _outputs[2 * layer] = $"present.{layer}.encoder.key";
            _outputs[(2 * layer) + 1] = $"present.{layer}.encoder.value";
        }

        if (_outputs.FirstOrDefault(n => !outputs.ContainsKey(n)) is { } missing)
        {
            Fail($"no output '{missing}': Optimum's first pass must output every decoder layer's cross-attention keys and values (it outputs {string.Join(", ", outputs.Keys)})");
        }
    }

    /// <summary>Floats per encoder position the pass takes, or 0 when the graph leaves it symbolic.</summary>
    public int HiddenSize => _session.InputMetadata[_hiddenStates].Dimensions[2] is > 0 and var size ? size : 0;

    /// <summary>Projects one window's <c>last_hidden_state</c> (<c>[1, positions, hidden]</c>) into its cross-attention state.</summary>
    /// <exception cref="WhisperDecodeException">The pass answers keys or values of another shape than the engine's decoder takes (a server fault).</exception>
    public CrossAttentionState Project(OrtValue hiddenStates)
    {
        var inputs = new List<OrtValue>(3 + _pasts.Length);
        try
        {
            inputs.Add(_idsType == TensorElementType.Int64
                ? OrtValue.CreateTensorValueFromMemory(new long[] { _token }, [1, 1])
                : OrtValue.CreateTensorValueFromMemory(new int[] { _token }, [1, 1]));
            inputs.Add(hiddenStates);
            var names = new List<string>(inputs.Count + _pasts.Length) { _inputIds, _hiddenStates };
            foreach (var past in _pasts)
            {
                // A buffer of one element, so the empty tensor still has an address.
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new float[1].AsMemory(0, 0), [1, _heads, 0, _headSize]));
                names.Add(past);
            }

            if (_useCacheBranch is not null)
            {
                inputs.Add(OrtValue.CreateTensorValueFromMemory(new[] { false }, [1]));
                names.Add(_useCacheBranch);
            }

            using var results = _session.Run(_runOptions, names, inputs, _outputs);
            for (var i = 0; i < _outputs.Length; i++)
            {
                var shape = results[i].GetTensorTypeAndShape().Shape;
                if (shape.Length != 4 || shape[0] != 1 || shape[1] != _heads || shape[3] != _headSize)
                {
                    throw new WhisperDecodeException(true, $"the first decoder pass answered '{_outputs[i]}' as [{string.Join(", ", shape)}]; the decoder takes [1, {_heads}, positions, {_headSize}]");
                }
            }

            return WhisperEncoder.StateOf(results);
        }
        finally
        {
            // The hidden states belong to the caller.
            foreach (var value in inputs.Where(v => !ReferenceEquals(v, hiddenStates)))
            {
                value.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        if (_ownsSession)
        {
            _session.Dispose();
        }
    }
}
