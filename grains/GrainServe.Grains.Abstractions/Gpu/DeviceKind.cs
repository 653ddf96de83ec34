namespace GrainServe.Gpu;

/// <summary>
/// What kind of device a GPU grain drives, which picks the ONNX Runtime execution provider.
/// </summary>
public enum DeviceKind
{
    /// <summary>A CPU device: ONNX Runtime's CPU execution provider.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU: ONNX Runtime's CUDA execution provider on its device id.</summary>
    Gpu,
}
