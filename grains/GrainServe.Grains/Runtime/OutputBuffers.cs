using System.Runtime.InteropServices;
using GrainServe.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Runtime;

/// <summary>
/// Allocates a run's outputs before it starts, so ONNX Runtime writes them straight into the arrays that leave the
/// grain instead of into its own buffers that are then copied out. An output can be allocated ahead when every
/// dimension of its declared shape is fixed, a symbolic dimension that an input declares too (the exporter's
/// <c>batch_size</c> on the inputs and the outputs), read from that input's shape in the run, or, for a model that
/// batches (<c>max_batch_size</c> above 0), the first: Triton's contract, which the batch queue's split relies on
/// too, is that every input and output starts with the batch's rows.
/// </summary>
/// <remarks>
/// <para>
/// Only outputs of <see cref="MinimumBytes"/> or more are worth it: binding a buffer costs an <see cref="OrtValue"/> and
/// a pinned handle per output per run, a few microseconds, which on a tiny model's 16-byte outputs was more than the
/// copy it saves (the throughput benchmark's tiny arms ran about 10 % slower with every output preallocated).
/// </para>
/// <para>
/// A model that declares a symbol it does not keep (an output whose <c>batch_size</c> differs from the input's)
/// fails a run with preallocated outputs; <see cref="OnnxModelRunner"/> then reruns it the ordinary way and stops
/// preallocating, so a wrong declaration costs one extra run, not a failed request.
/// </para>
/// </remarks>
internal sealed class OutputBuffers
{
    /// <summary>The fewest output bytes of a run that are allocated ahead; smaller outputs are copied out as usual.</summary>
    public const long MinimumBytes = 16 << 10;

    // A first dimension that is the batch's row count: the first input's first dimension.
    private const long BatchRows = -2;

    private readonly Dictionary<string, Plan> _plans = new(StringComparer.Ordinal);

    public OutputBuffers(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs, bool batched)
    {
        // Where each symbolic dimension can be read in a run: the first input and axis that declares it.
        var symbols = new Dictionary<string, (string Input, int Axis)>(StringComparer.Ordinal);
        foreach (var (name, node) in inputs)
        {
            if (!node.IsTensor)
            {
                continue;
            }

            for (var axis = 0; axis < node.SymbolicDimensions.Length; axis++)
            {
                if (node.Dimensions[axis] < 0 && !string.IsNullOrEmpty(node.SymbolicDimensions[axis]))
                {
                    symbols.TryAdd(node.SymbolicDimensions[axis], (name, axis));
                }
            }
        }

        foreach (var (name, node) in outputs)
        {
            if (!node.IsTensor || OnnxTypes.ToProtocol(node.ElementDataType) is not { } datatype || datatype == InferDatatype.Bytes)
            {
                continue;
            }

            var dims = new (long Fixed, string? Input, int Axis)[node.Dimensions.Length];
            var known = true;
            for (var axis = 0; axis < dims.Length && known; axis++)
            {
                if (node.Dimensions[axis] >= 0)
                {
                    dims[axis] = (node.Dimensions[axis], null, 0);
                }
                else if (axis == 0 && batched)
                {
                    dims[axis] = (BatchRows, null, 0);
                }
                else if (symbols.TryGetValue(node.SymbolicDimensions[axis] ?? "", out var source))
                {
                    dims[axis] = (-1, source.Input, source.Axis);
                }
                else
                {
                    known = false;
                }
            }

            if (known)
            {
                _plans[name] = new Plan(datatype, node.ElementDataType, dims);
            }
        }
    }

    /// <summary>False once a run showed the declared shapes (or the batch contract) are not what the model produces.</summary>
    public bool Enabled { get; private set; } = true;

    /// <summary>Stops preallocating: the model's outputs are not the shapes its declarations promise.</summary>
    public void Disable() => Enabled = false;

    /// <summary>Whether <see cref="TryAllocate"/> would allocate these outputs for these inputs.</summary>
    public bool CanAllocate(string[] outputNames, InferTensor[] inputs) => Shapes(outputNames, inputs) is not null;

    /// <summary>
    /// Allocates every requested output and wraps each in an <see cref="OrtValue"/> over its pinned array, or returns
    /// false (allocating nothing) when one of them cannot be sized before the run.
    /// </summary>
    public bool TryAllocate(string[] outputNames, InferTensor[] inputs, List<GCHandle> handles, out InferTensor[] tensors, out List<OrtValue> values)
    {
        tensors = [];
        values = [];
        if (Shapes(outputNames, inputs) is not { } shapes)
        {
            return false;
        }

        tensors = new InferTensor[outputNames.Length];
        values = new List<OrtValue>(outputNames.Length);
        for (var o = 0; o < outputNames.Length; o++)
        {
            var plan = _plans[outputNames[o]];
            var data = new byte[checked((int)(InferDatatype.ElementCount(shapes[o]) * InferDatatype.ElementSize(plan.Datatype)))];
            var handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            handles.Add(handle);
            values.Add(OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, plan.ElementType, shapes[o], handle.AddrOfPinnedObject(), data.Length));
            tensors[o] = new InferTensor(outputNames[o], plan.Datatype, shapes[o], data);
        }

        return true;
    }

    // Every requested output's shape for this run, or null when one cannot be sized ahead or together they are too
    // small to be worth binding.
    private long[][]? Shapes(string[] outputNames, InferTensor[] inputs)
    {
        if (!Enabled)
        {
            return null;
        }

        var shapes = new long[outputNames.Length][];
        long bytes = 0;
        for (var o = 0; o < outputNames.Length; o++)
        {
            if (!_plans.TryGetValue(outputNames[o], out var plan) || Shape(plan, inputs) is not { } shape)
            {
                return null;
            }

            shapes[o] = shape;
            bytes += InferDatatype.ElementCount(shape) * InferDatatype.ElementSize(plan.Datatype);
        }

        return bytes >= MinimumBytes ? shapes : null;
    }

    private static long[]? Shape(Plan plan, InferTensor[] inputs)
    {
        var shape = new long[plan.Dims.Length];
        for (var axis = 0; axis < shape.Length; axis++)
        {
            var (size, input, inputAxis) = plan.Dims[axis];
            if (input is null)
            {
                shape[axis] = size == BatchRows ? inputs[0].Shape.FirstOrDefault(-1) : size;
                continue;
            }

            var tensor = Array.Find(inputs, t => t.Name == input);
            if (tensor is null || inputAxis >= tensor.Shape.Length)
            {
                return null;
            }

            shape[axis] = tensor.Shape[inputAxis];
        }

        return InferDatatype.ElementCount(shape) is >= 0 and <= int.MaxValue / 8 ? shape : null;
    }

    private sealed record Plan(string Datatype, TensorElementType ElementType, (long Fixed, string? Input, int Axis)[] Dims);
}
