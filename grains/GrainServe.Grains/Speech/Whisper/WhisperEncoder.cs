using System.Diagnostics;
using GrainServe.Generation;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Whisper's audio encoder: one 30 s window of log-mel features in (<c>audio_features</c> or <c>input_features</c>,
/// <c>[batch, n_mels, 3000]</c>), the decoder's cross-attention keys and values out for every decoder layer
/// (<c>[batch, heads, 1500, head_size]</c>), computed once per window and fed unchanged at every decode step of that
/// window. onnxruntime-genai's encoder outputs them itself (<c>present_key_cross_{i}</c>, <c>present_value_cross_{i}</c>);
/// Hugging Face Optimum's outputs only <c>last_hidden_state</c>, which its decoder's first pass projects
/// (<see cref="FirstPassCrossKv"/>).
/// </summary>
internal sealed class WhisperEncoder : IDisposable
{
    /// <summary>Mel frames in one window: 30 s at a 10 ms hop.</summary>
    public const int WindowFrames = 3000;

    private long _computeTicks;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _input;
    private readonly string[] _outputs;
    private readonly int _heads;
    private readonly int _headSize;
    private readonly FirstPassCrossKv? _firstPass;

    /// <summary>The output Optimum's encoder answers: the encoder's final states, <c>[batch, positions, d_model]</c>.</summary>
    public const string LastHiddenState = "last_hidden_state";

    /// <summary>Reads the encoder's names from <paramref name="config"/> and checks them against the graph and the decoder.</summary>
    /// <param name="session">The encoder's session; owned.</param>
    /// <param name="config">genai_config.json, or null.</param>
    /// <param name="decoder">The engine's decoder layout.</param>
    /// <param name="source">The file, for errors.</param>
    /// <param name="firstPass">Optimum's first decoder pass (owned), for an encoder that outputs only <see cref="LastHiddenState"/>; null for onnxruntime-genai's.</param>
    /// <exception cref="ModelLoadException">The encoder does not output cross-attention KV that fits <paramref name="decoder"/>; the message says what differs.</exception>
    public WhisperEncoder(InferenceSession session, GenAiConfig? config, DecoderLayout decoder, string source, FirstPassCrossKv? firstPass = null)
    {
        string Fail(string why) => throw new ModelLoadException($"encoder '{source}': {why}");

        _session = session;
        _heads = decoder.KvHeads;
        _headSize = decoder.HeadSize;
        var inputs = session.InputMetadata;
        _input = config?.EncoderInputs.GetValueOrDefault("audio_features") ?? (inputs.ContainsKey("audio_features") ? "audio_features" : "input_features");
        if (!inputs.TryGetValue(_input, out var input) || input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 3)
        {
            Fail($"no float input '{_input}' [batch, n_mels, {WindowFrames}] (it has {string.Join(", ", inputs.Keys)})");
        }

        MelBins = input!.Dimensions[1] > 0 ? input.Dimensions[1] : 80;
        if (MelBins is not (80 or 128))
        {
            Fail($"input '{_input}' has {MelBins} mel bins; Whisper's front end makes 80 or 128");
        }

        if (input.Dimensions[2] > 0 && input.Dimensions[2] != WindowFrames)
        {
            Fail($"input '{_input}' takes {input.Dimensions[2]} frames; Whisper's windows are {WindowFrames}");
        }

        if (decoder.KvType != TensorElementType.Float)
        {
            Fail($"cross-attention KV is {decoder.KvType}; only float32 Whisper exports are served so far");
        }

        if (firstPass is not null)
        {
            _firstPass = firstPass;
            _outputs = [LastHiddenState];
            if (!session.OutputMetadata.TryGetValue(LastHiddenState, out var hidden) || hidden.ElementDataType != TensorElementType.Float || hidden.Dimensions.Length != 3)
            {
                Fail($"no float output '{LastHiddenState}' [batch, positions, d_model] for the decoder's first pass (it outputs {string.Join(", ", session.OutputMetadata.Keys)})");
            }

            if (hidden!.Dimensions[2] > 0 && firstPass.HiddenSize > 0 && hidden.Dimensions[2] != firstPass.HiddenSize)
            {
                Fail($"output '{LastHiddenState}' has d_model {hidden.Dimensions[2]}, but the decoder's first pass takes {firstPass.HiddenSize}");
            }

            return;
        }

        var keyPattern = config?.EncoderOutputs.GetValueOrDefault("cross_present_key_names") ?? "present_key_cross_%d";
        var valuePattern = config?.EncoderOutputs.GetValueOrDefault("cross_present_value_names") ?? "present_value_cross_%d";
        var outputs = session.OutputMetadata;
        _outputs = new string[decoder.CrossLayers.Count * 2];
        for (var layer = 0; layer < decoder.CrossLayers.Count; layer++)
        {
            _outputs[2 * layer] = GenAiConfig.LayerName(keyPattern, layer);
            _outputs[(2 * layer) + 1] = GenAiConfig.LayerName(valuePattern, layer);
        }

        foreach (var name in _outputs)
        {
            if (!outputs.TryGetValue(name, out var output))
            {
                Fail($"no output '{name}': the encoder must compute the decoder's cross-attention keys and values (onnxruntime-genai's layout), or output {LastHiddenState} beside an Optimum decoder that projects them. It outputs {string.Join(", ", outputs.Keys)}");
            }

            var dims = output!.Dimensions;
            if (output.ElementDataType != decoder.KvType || dims.Length != 4 || (dims[1] > 0 && dims[1] != _heads) || (dims[3] > 0 && dims[3] != _headSize))
            {
                Fail($"output '{name}' is {output.ElementDataType} [{string.Join(", ", dims)}]; the decoder takes {decoder.KvType} [batch, {_heads}, positions, {_headSize}]");
            }
        }
    }

    /// <summary>Whether the cross-attention state comes from Optimum's first decoder pass rather than from the encoder itself.</summary>
    public bool UsesFirstPass => _firstPass is not null;

    /// <summary>Mel bins the model takes: 80, or 128 from large-v3 on.</summary>
    public int MelBins { get; }

    /// <summary>Time spent running the encoder since it loaded: device time, for the model's busy-time metric.</summary>
    public TimeSpan ComputeTime => TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks));

    /// <summary>
    /// Encodes one window, <c>[n_mels, 3000]</c> row-major, into the cross-attention state its decode steps feed.
    /// Safe to call from several threads (ONNX Runtime sessions are).
    /// </summary>
    public CrossAttentionState Encode(float[] window)
    {
        if (window.Length != MelBins * WindowFrames)
        {
            throw new ArgumentException($"a window holds {MelBins} × {WindowFrames} values, got {window.Length}", nameof(window));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(window, [1, MelBins, WindowFrames]);
        var started = Stopwatch.GetTimestamp();
        using var results = _session.Run(_runOptions, [_input], [input], _outputs);
        if (_firstPass is not null)
        {
            var projected = _firstPass.Project(results[0]);
            Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
            return projected;
        }

        Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
        return StateOf(results);
    }

    /// <summary>
    /// The cross-attention state in float outputs <c>[1, heads, positions, head_size]</c> ordered as layer 0's key and
    /// value, then layer 1's, ...: what genai's encoder and Optimum's first decoder pass both answer.
    /// </summary>
    internal static CrossAttentionState StateOf(IReadOnlyList<OrtValue> outputs)
    {
        var keys = new Array[outputs.Count / 2];
        var values = new Array[outputs.Count / 2];
        var positions = 0;
        for (var i = 0; i < outputs.Count; i++)
        {
            positions = (int)outputs[i].GetTensorTypeAndShape().Shape[2];
            var data = outputs[i].GetTensorDataAsSpan<float>().ToArray();
            if (i % 2 == 0)
            {
                keys[i / 2] = data;
            }
            else
            {
                values[i / 2] = data;
            }
        }

        return new CrossAttentionState(keys, values, positions);
    }

    public void Dispose()
    {
        _firstPass?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
