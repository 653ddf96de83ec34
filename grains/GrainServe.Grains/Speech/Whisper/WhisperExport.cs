using GrainServe.Generation;
using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Opens a Whisper export's encoder and decoder in whichever layout the files' names say: onnxruntime-genai's (the
/// encoder outputs the cross-attention KV) or Hugging Face Optimum's (the encoder outputs <c>last_hidden_state</c>,
/// and the decoder's first pass projects it: the no-past branch of <c>decoder_model_merged.onnx</c>, or
/// <c>decoder_model.onnx</c> beside <c>decoder_with_past_model.onnx</c>). Either way the engine's step model is a
/// decoder with past whose cross-attention inputs take a <see cref="CrossAttentionState"/> per sequence.
/// </summary>
internal static class WhisperExport
{
    /// <summary>Optimum's decoder without past, the first pass of the split layout.</summary>
    public const string NoPastDecoderFile = "decoder_model.onnx";

    /// <summary>Optimum's decoder with past, which the engine runs in the split layout.</summary>
    public const string WithPastDecoderFile = "decoder_with_past_model.onnx";

    /// <summary>
    /// The files the decoder side loads from <paramref name="decoderPath"/>: itself, plus, for Optimum's split
    /// layout, the other decoder of the pair (for the memory estimate).
    /// </summary>
    public static IReadOnlyList<string> DecoderFiles(string decoderPath)
    {
        var folder = Path.GetDirectoryName(decoderPath)!;
        var name = Path.GetFileName(decoderPath);
        var other = name == WithPastDecoderFile ? NoPastDecoderFile : name == NoPastDecoderFile && !File.Exists(Path.Combine(folder, GenAiConfig.FileName)) ? WithPastDecoderFile : null;
        return other is not null && File.Exists(Path.Combine(folder, other)) ? [decoderPath, Path.Combine(folder, other)] : [decoderPath];
    }

    /// <summary>Opens both sides; on failure every session opened is disposed.</summary>
    /// <param name="open">Creates a session for a file (on the instance's device).</param>
    /// <param name="decoderPath">The model's main file: genai's decoder, Optimum's merged decoder, or either of Optimum's pair.</param>
    /// <param name="encoderPath">The encoder.</param>
    /// <exception cref="ModelLoadException">The files are neither layout, or do not fit together; the message says what.</exception>
    public static (OnnxDecoderStepModel Decoder, WhisperEncoder Encoder) Open(Func<string, InferenceSession> open, string decoderPath, string encoderPath)
    {
        var folder = Path.GetDirectoryName(decoderPath)!;
        var genai = GenAiConfig.TryLoad(folder);
        var sessions = new List<InferenceSession>();
        InferenceSession Open(string path)
        {
            var session = open(path);
            sessions.Add(session);
            return session;
        }

        OnnxDecoderStepModel? decoder = null;
        FirstPassCrossKv? firstPass = null;
        try
        {
            var decoderSession = Open(decoderPath);
            InferenceSession? noPast = null;
            var withPastPath = Path.Combine(folder, WithPastDecoderFile);
            if (!decoderSession.InputMetadata.Keys.Any(k => k.StartsWith("past", StringComparison.Ordinal)) && File.Exists(withPastPath) && withPastPath != decoderPath)
            {
                // Optimum's decoder without past named as the model's file: it is the first pass; its pair runs on the engine.
                noPast = decoderSession;
                decoderPath = withPastPath;
                decoderSession = Open(withPastPath);
            }

            var layout = genai is not null
                ? DecoderLayout.Read(decoderSession, folder, decoderPath)
                : DecoderLayout.Read(decoderSession.InputMetadata, decoderSession.OutputMetadata, HuggingFaceWhisperConfig.Load(folder), decoderPath);
            if (!layout.IsEncoderDecoder)
            {
                throw new ModelLoadException($"'{decoderPath}' takes no cross-attention inputs: it is not a Whisper decoder");
            }

            decoder = new OnnxDecoderStepModel(decoderSession, layout);
            var encoderSession = Open(encoderPath);
            var outputs = encoderSession.OutputMetadata;
            var crossKey = GenAiConfig.LayerName(genai?.EncoderOutputs.GetValueOrDefault("cross_present_key_names") ?? "present_key_cross_%d", 0);
            if (!outputs.ContainsKey(crossKey) && outputs.ContainsKey(WhisperEncoder.LastHiddenState))
            {
                firstPass = FirstPass(layout, decoderSession, noPast, folder, decoderPath, Open);
            }
            else
            {
                noPast?.Dispose();
            }

            return (decoder, new WhisperEncoder(encoderSession, genai, layout, encoderPath, firstPass));
        }
        catch
        {
            firstPass?.Dispose();
            decoder?.Dispose();
            foreach (var session in sessions)
            {
                session.Dispose();
            }

            throw;
        }
    }

    private static FirstPassCrossKv FirstPass(DecoderLayout layout, InferenceSession decoderSession, InferenceSession? noPast, string folder, string decoderPath, Func<string, InferenceSession> open)
    {
        if (layout.UseCacheBranch is not null)
        {
            // The merged decoder's own no-past branch; the step model owns the session.
            return new FirstPassCrossKv(decoderSession, ownsSession: false, layout, decoderPath);
        }

        var noPastPath = Path.Combine(folder, NoPastDecoderFile);
        if (noPast is null && (!File.Exists(noPastPath) || Path.GetFullPath(noPastPath) == Path.GetFullPath(decoderPath)))
        {
            throw new ModelLoadException(
                $"the encoder outputs only {WhisperEncoder.LastHiddenState} (Optimum's layout), so the decoder must project the cross-attention keys and values: " +
                $"'{decoderPath}' has no use_cache_branch (not decoder_model_merged.onnx) and there is no '{noPastPath}' beside it");
        }

        return new FirstPassCrossKv(noPast ?? open(noPastPath), ownsSession: true, layout, noPast is null ? noPastPath : decoderPath);
    }
}
