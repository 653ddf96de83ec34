using System.Buffers.Binary;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Turns a synthesis's float samples into one <c>response_format</c>'s bytes as they come: each stretch is encoded
/// and handed to the sink (the response body, or an SSE event) without waiting for the rest.
/// </summary>
internal abstract class SpeechEncoder : IAsyncDisposable
{
    /// <summary>Encodes the next stretch of mono samples in [-1, 1].</summary>
    public abstract ValueTask WriteAsync(float[] samples);

    /// <summary>Ends the stream: what the format writes last, handed to the sink before this returns.</summary>
    public abstract ValueTask CompleteAsync();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>16-bit little-endian PCM of <paramref name="samples"/>, clamped and rounded as the V2 INT16 output.</summary>
    protected static byte[] Pcm16(ReadOnlySpan<float> samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            var clamped = float.IsNaN(samples[i]) ? 0f : Math.Clamp(samples[i], -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), (short)MathF.Round(clamped * short.MaxValue));
        }

        return bytes;
    }
}
