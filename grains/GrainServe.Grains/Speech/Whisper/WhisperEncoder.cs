using System.Diagnostics;
using GrainServe.Generation;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Whisper's audio encoder as onnxruntime-genai exports it: one 30 s window of log-mel features in
/// (<c>audio_features</c>, <c>[batch, n_mels, 3000]</c>), and for every decoder layer the cross-attention keys and
/// values out (<c>present_key_cross_{i}</c>, <c>present_value_cross_{i}</c>, <c>[batch, heads, 1500, head_size]</c>),
/// computed once per window and fed unchanged at every decode step of that window.
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

    /// <summary>Reads the encoder's names from <paramref name="config"/> and checks them against the graph and the decoder.</summary>
    /// <exception cref="ModelLoadException">The encoder does not output cross-attention KV that fits <paramref name="decoder"/>; the message says what differs.</exception>
    public WhisperEncoder(InferenceSession session, GenAiConfig? config, DecoderLayout decoder, string source)
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
                Fail($"no output '{name}': the encoder must compute the decoder's cross-attention keys and values (onnxruntime-genai's layout; an encoder that outputs only last_hidden_state, as Optimum's does, is not served yet). It outputs {string.Join(", ", outputs.Keys)}");
            }

            var dims = output!.Dimensions;
            if (output.ElementDataType != decoder.KvType || dims.Length != 4 || (dims[1] > 0 && dims[1] != _heads) || (dims[3] > 0 && dims[3] != _headSize))
            {
                Fail($"output '{name}' is {output.ElementDataType} [{string.Join(", ", dims)}]; the decoder takes {decoder.KvType} [batch, {_heads}, positions, {_headSize}]");
            }
        }

        if (decoder.KvType != TensorElementType.Float)
        {
            Fail($"cross-attention KV is {decoder.KvType}; only float32 Whisper exports are served so far");
        }
    }

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
        Interlocked.Add(ref _computeTicks, Stopwatch.GetElapsedTime(started).Ticks);
        var keys = new Array[_outputs.Length / 2];
        var values = new Array[_outputs.Length / 2];
        var positions = 0;
        for (var i = 0; i < _outputs.Length; i++)
        {
            var shape = results[i].GetTensorTypeAndShape().Shape;
            positions = (int)shape[2];
            var data = results[i].GetTensorDataAsSpan<float>().ToArray();
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
        _runOptions.Dispose();
        _session.Dispose();
    }
}
