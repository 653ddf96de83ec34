namespace GrainServe.Generation;

/// <summary>How a decoder step hands its KV cache and outputs to ONNX Runtime (parameter <c>kv_binding</c>).</summary>
public enum KvBinding
{
    /// <summary>
    /// <c>host</c>, the default: the cache in host arrays, each step's tensors passed to <c>InferenceSession.Run</c> as
    /// fresh input and output lists over pooled arrays.
    /// </summary>
    Host,

    /// <summary>
    /// <c>iobinding</c>: each step bound with <c>OrtIoBinding</c> onto buffers allocated once per capacity; under the
    /// CUDA provider the past and present tensors the session reads and writes are device memory.
    /// </summary>
    IoBinding,
}
