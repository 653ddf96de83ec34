namespace GrainServe.ModelBuilder.Whisper;

/// <summary>How a Whisper model's files are laid out: which exporter's names and split the builder writes.</summary>
public enum WhisperLayout
{
    /// <summary>onnxruntime-genai's: the encoder outputs the cross-attention KV; <c>genai_config.json</c> names everything (<see cref="WhisperModel"/>).</summary>
    GenAi,

    /// <summary>Hugging Face Optimum's merged export: <c>encoder_model.onnx</c> and <c>decoder_model_merged.onnx</c> (<see cref="OptimumWhisperModel"/>).</summary>
    OptimumMerged,

    /// <summary>Optimum's split export: <c>encoder_model.onnx</c>, <c>decoder_model.onnx</c> and <c>decoder_with_past_model.onnx</c>.</summary>
    OptimumSplit,
}
