namespace GrainServe.Gateway.OpenAi;

/// <summary>OpenAI's <c>pcm</c>: 16-bit little-endian mono at 24 kHz without a header, resampled from the voice's rate as it streams.</summary>
internal sealed class PcmSpeechEncoder(int sampleRate, Func<ReadOnlyMemory<byte>, ValueTask> sink) : SpeechEncoder
{
    private readonly StreamingResampler? _resampler = sampleRate == SpeechFormats.PcmRate ? null : new StreamingResampler(sampleRate, SpeechFormats.PcmRate);

    public override async ValueTask WriteAsync(float[] samples)
    {
        var resampled = _resampler is null ? samples : _resampler.Process(samples);
        if (resampled.Length > 0)
        {
            await sink(Pcm16(resampled));
        }
    }

    public override async ValueTask CompleteAsync()
    {
        if (_resampler?.Flush() is { Length: > 0 } tail)
        {
            await sink(Pcm16(tail));
        }
    }
}
