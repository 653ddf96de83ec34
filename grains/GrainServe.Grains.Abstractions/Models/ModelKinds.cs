namespace GrainServe.Models;

/// <summary>
/// The kinds of model a provider serves, as config.json names them in <c>parameters.model_kind</c>; a config without one
/// is a plain ONNX model.
/// </summary>
public static class ModelKinds
{
    /// <summary>The parameter that names the kind.</summary>
    public const string Parameter = "model_kind";

    /// <summary>A plain ONNX model: tensors in, tensors out, through the dynamic batch queue.</summary>
    public const string Onnx = "onnx";

    /// <summary>A text encoder with its tokenizer and pooling .</summary>
    public const string SentenceEmbedding = "sentence_embedding";

    /// <summary>An autoregressive decoder with a KV cache, served by the generation engine.</summary>
    public const string TextGeneration = "text_generation";

    /// <summary>
    /// Speech to text: a Whisper encoder-decoder export; audio in, timed text out, its decoder on the generation engine.
    /// </summary>
    public const string Whisper = "whisper";

    /// <summary>
    /// Text to speech with a Piper voice: espeak-ng phonemes, a VITS export (<c>input</c>, <c>input_lengths</c>, <c>scales</c>,
    /// optional <c>sid</c>) and its <c>.onnx.json</c>; one shot per sentence, streamed sentence by sentence.
    /// </summary>
    public const string TtsPiper = "tts_piper";

    /// <summary>
    /// Text to speech as Coqui's XTTS-v2 does it: a GPT decoder on the generation engine emits audio codes and latents, a
    /// HiFi-GAN vocoder turns them into 24 kHz audio, streamed as the codes come.
    /// </summary>
    public const string TtsXtts = "tts_xtts";

    /// <summary>True for the kinds whose requests are measured in seconds of audio: Whisper and the voices.</summary>
    public static bool IsSpeech(string kind) => kind is Whisper or TtsPiper or TtsXtts;

    /// <summary>What a client is told who sends a generation model an inference (<c>/infer</c>) request.</summary>
    public static string UseGenerateRoutes(string model) =>
        $"model '{model}' is a text generation model: use POST /v2/models/{model}/generate, /generate_stream, or OpenAI's /v1/completions and /v1/chat/completions";

    /// <summary>The kind a config names, <see cref="Onnx"/> when it names none.</summary>
    public static string Of(ModelConfig config) =>
        config.Parameters?.TryGetValue(Parameter, out var kind) == true && !string.IsNullOrEmpty(kind.StringValue) ? kind.StringValue : Onnx;
}
