using System.Buffers.Binary;
using System.Runtime.InteropServices;
using GrainServe.Contracts;
using GrainServe.Models;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Runtime;

/// <summary>
/// Runs batches through one ONNX Runtime session. Fixed-size inputs are passed to the runtime over the
/// request's own pinned bytes, without a copy. Outputs whose shapes the model's declarations give are allocated
/// before the run and written by the runtime in place (<see cref="OutputBuffers"/>); the others are copied once
/// from the runtime's buffers into the bytes that leave the grain.
/// </summary>
public sealed class OnnxModelRunner : IModelRunner
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OutputBuffers _outputBuffers;

    /// <summary>Wraps a session and completes the written configuration from the model's own signature.</summary>
    public OnnxModelRunner(string modelName, ModelConfig written, InferenceSession session)
    {
        _session = session;
        Config = ModelConfigCompleter.Complete(modelName, written, Describe(modelName, session.InputMetadata), Describe(modelName, session.OutputMetadata));
        _outputBuffers = new OutputBuffers(session.InputMetadata, session.OutputMetadata, Config.MaxBatchSize > 0);
    }

    /// <inheritdoc />
    public ModelConfig Config { get; }

    /// <summary>Whether runs still get their outputs allocated ahead (false once the model's declarations proved wrong).</summary>
    internal bool PreallocatesOutputs => _outputBuffers.Enabled;

    /// <summary>Whether a run of these inputs would get <paramref name="outputNames"/> allocated ahead.</summary>
    internal bool WouldPreallocate(string[] outputNames, InferTensor[] inputs) => _outputBuffers.CanAllocate(outputNames, inputs);

    /// <inheritdoc />
    public Task<InferTensor[]> RunAsync(InferTensor[] inputs, string[] outputNames, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var handles = new List<GCHandle>(inputs.Length);
        var values = new List<OrtValue>(inputs.Length);
        try
        {
            foreach (var input in inputs)
            {
                values.Add(ToOrtValue(input, handles));
            }

            var inputNames = inputs.Select(i => i.Name).ToArray();
            if (!_outputBuffers.TryAllocate(outputNames, inputs, handles, out var preallocated, out var outputValues))
            {
                return Task.FromResult(Run(inputNames, values, outputNames));
            }

            try
            {
                _session.Run(_runOptions, inputNames, values, outputNames, outputValues);
                return Task.FromResult(preallocated);
            }
            catch (OnnxRuntimeException)
            {
                // Either the outputs are not the shapes the model declares, or the run fails whatever its outputs: the
                // ordinary run tells which, and only when it succeeds does the model stop getting preallocated outputs.
                var outputs = Run(inputNames, values, outputNames);
                _outputBuffers.Disable();
                return Task.FromResult(outputs);
            }
            finally
            {
                foreach (var value in outputValues)
                {
                    value.Dispose();
                }
            }
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }

            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }

    // The runtime allocates the outputs; each is copied once into the bytes that leave the grain.
    private InferTensor[] Run(string[] inputNames, List<OrtValue> values, string[] outputNames)
    {
        using var results = _session.Run(_runOptions, inputNames, values, outputNames);
        var outputs = new InferTensor[outputNames.Length];
        var i = 0;
        foreach (var result in results)
        {
            outputs[i] = FromOrtValue(outputNames[i], result);
            i++;
        }

        return outputs;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static OrtValue ToOrtValue(InferTensor tensor, List<GCHandle> handles)
    {
        if (tensor.Datatype == InferDatatype.Bytes)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            var data = tensor.Data.AsSpan();
            var index = 0;
            while (data.Length > 0)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                value.StringTensorSetElementAt(data.Slice(4, length), index++);
                data = data[(4 + length)..];
            }

            return value;
        }

        // The runtime reads the request's bytes in place; the handle is freed after the run.
        var handle = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
        handles.Add(handle);
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, OnnxTypes.ToOnnx(tensor.Datatype), tensor.Shape, handle.AddrOfPinnedObject(), tensor.Data.Length);
    }

    private static InferTensor FromOrtValue(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var datatype = OnnxTypes.ToProtocol(info.ElementDataType)
            ?? throw new InvalidOperationException($"output '{name}' has element type {info.ElementDataType}, which the protocol cannot carry");
        if (datatype != InferDatatype.Bytes)
        {
            return new InferTensor(name, datatype, info.Shape, value.GetTensorMutableRawData().ToArray());
        }

        var count = (int)info.ElementCount;
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            total += 4 + value.GetStringElementAsSpan(i).Length;
        }

        var bytes = new byte[total];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var element = value.GetStringElementAsSpan(i);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)element.Length);
            element.CopyTo(bytes.AsSpan(offset + 4));
            offset += 4 + element.Length;
        }

        return new InferTensor(name, datatype, info.Shape, bytes);
    }

    private static List<ModelTensorConfig> Describe(string modelName, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var tensors = new List<ModelTensorConfig>();
        foreach (var (name, node) in metadata)
        {
            if (!node.IsTensor || OnnxTypes.ToProtocol(node.ElementDataType) is not { } datatype)
            {
                throw new ModelLoadException($"model '{modelName}': '{name}' is not a tensor of a protocol datatype ({node.OnnxValueType}), which GrainServe cannot serve");
            }

            tensors.Add(new ModelTensorConfig
            {
                Name = name,
                DataType = TritonDatatype.FromProtocol(datatype),
                Dims = node.Dimensions.Select(d => (long)(d < 0 ? -1 : d)).ToArray(),
            });
        }

        return tensors;
    }
}
