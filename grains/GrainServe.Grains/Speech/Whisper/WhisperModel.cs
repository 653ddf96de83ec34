using GrainServe.Generation;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// One loaded Whisper model: its encoder, its decoder on a generation engine shared by every transcription of the
/// instance, its tokenizer and its mel filterbank. Owns them all.
/// </summary>
internal sealed class WhisperModel : IAsyncDisposable
{
    /// <remarks>The engine's figures go to vLLM's metric names under the model's name (each window's decode is one request there).</remarks>
    /// <param name="name">The model's name.</param>
    /// <param name="encoder">The encoder.</param>
    /// <param name="decoder">The decoder, served on the engine.</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="options">The engine's limits.</param>
    /// <param name="time">The engine's clock.</param>
    /// <param name="alignmentHeads">The heads word timestamps align with; null for whisper's default (see <see cref="Whisper.AlignmentHeads"/>).</param>
    public WhisperModel(string name, WhisperEncoder encoder, OnnxDecoderStepModel decoder, WhisperTokenizer tokenizer, EngineOptions options, TimeProvider time, AlignmentHeads? alignmentHeads = null)
    {
        AlignmentHeads = alignmentHeads ?? AlignmentHeads.Default(decoder.Layout.Layers.Count, decoder.Layout.KvHeads);
        Name = name;
        Encoder = encoder;
        Decoder = decoder;
        Tokenizer = tokenizer;
        Filterbank = MelFilterbank.For(encoder.MelBins);
        SuppressTokens = tokenizer.SuppressTokens("-1");
        KvBytesPerToken = decoder.KvBytesPerToken;
        Text = new TranscriptText(tokenizer);
        _metrics = GenerationMetrics.Register(name);
        try
        {
            Engine = new GenerationEngine(decoder, tokenizer, options, time, _metrics);
        }
        catch
        {
            _metrics.Dispose();
            throw;
        }

        _metrics.Start(Engine.Snapshot);
    }

    private readonly GenerationMetrics.Registration _metrics;

    public string Name { get; }

    public WhisperEncoder Encoder { get; }

    public OnnxDecoderStepModel Decoder { get; }

    public WhisperTokenizer Tokenizer { get; }

    public GenerationEngine Engine { get; }

    public MelFilterbank Filterbank { get; }

    /// <summary>Whisper's default <c>suppress_tokens="-1"</c>: the non-speech symbols and the special tokens.</summary>
    public IReadOnlyList<int> SuppressTokens { get; }

    public long KvBytesPerToken { get; }

    /// <summary>The model's <c>beam_size</c> for requests that give none (<see cref="WhisperSettings.BeamSize"/>).</summary>
    public int? DefaultBeamSize { get; init; }

    /// <summary>The model's <c>best_of</c> for requests that give none (<see cref="WhisperSettings.BestOf"/>).</summary>
    public int? DefaultBestOf { get; init; }

    /// <summary>
    /// Whether beam search continues each beam from its parent's KV cache (an engine fork) rather than prefilling its
    /// prefix again every step; the tokens are the same either way. Default true; false is for comparisons.
    /// </summary>
    public bool ForkBeams { get; init; } = true;

    /// <summary>The decoder's heads that word timestamps align with.</summary>
    public AlignmentHeads AlignmentHeads { get; }

    /// <summary>Whether the decoder outputs the cross-attention weights word timestamps need.</summary>
    public bool HasCrossAttentionWeights => Decoder.Layout.CrossAttentionWeights.Count > 0;

    /// <summary>The tokenizer as the transcription loop reads it.</summary>
    public ITranscriptText Text { get; }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _metrics.Dispose();
        Decoder.Dispose();
        Encoder.Dispose();
    }

    private sealed class TranscriptText(WhisperTokenizer tokenizer) : ITranscriptText
    {
        public string Decode(ReadOnlySpan<int> ids) => tokenizer.Decode(ids, skipSpecialTokens: true);

        public int[] Encode(string text) => tokenizer.Encode(text);
    }
}
