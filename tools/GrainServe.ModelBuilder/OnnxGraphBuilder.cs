using Google.Protobuf;
using GrainServe.ModelBuilder.Onnx;

namespace GrainServe.ModelBuilder;

/// <summary>
/// Builds small ONNX graphs node by node and writes them as model files. Dimensions of -1 become symbolic
/// (<c>dim_param</c>), which ONNX Runtime reports as variable.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The opset the graphs use: ONNX 1.12's, which ONNX Runtime 1.31 runs everywhere.</summary>
    public const int Opset = 17;

    /// <summary>ONNX Runtime's contrib operator domain (<c>GroupQueryAttention</c>, <c>RotaryEmbedding</c>, ...).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>The version of <see cref="MicrosoftDomain"/> the graphs import: its only one, which every contrib operator is defined at.</summary>
    public const int MicrosoftOpset = 1;

    private readonly GraphProto _graph;

    // Domains other than the default one that nodes use, each imported once at its version; sorted, so the same graph
    // always gives the same bytes.
    private readonly SortedDictionary<string, int> _domains = new(StringComparer.Ordinal);
    private int _nodes;

    /// <summary>Starts a graph.</summary>
    public OnnxGraphBuilder(string name)
    {
        _graph = new GraphProto { Name = name };
    }

    /// <summary>Declares a graph input.</summary>
    public OnnxGraphBuilder Input(string name, string datatype, params long[] dims)
    {
        _graph.Input.Add(ValueInfo(name, datatype, dims));
        return this;
    }

    /// <summary>Declares a graph output.</summary>
    public OnnxGraphBuilder Output(string name, string datatype, params long[] dims)
    {
        _graph.Output.Add(ValueInfo(name, datatype, dims));
        return this;
    }

    /// <summary>Declares a graph input whose dimensions are fixed sizes or named symbols (<c>"batch"</c>).</summary>
    public OnnxGraphBuilder Input(string name, string datatype, params OnnxDim[] dims)
    {
        _graph.Input.Add(ValueInfo(name, datatype, dims));
        return this;
    }

    /// <summary>Declares a graph output whose dimensions are fixed sizes or named symbols (<c>"batch"</c>).</summary>
    public OnnxGraphBuilder Output(string name, string datatype, params OnnxDim[] dims)
    {
        _graph.Output.Add(ValueInfo(name, datatype, dims));
        return this;
    }

    /// <summary>Adds a constant tensor with raw little-endian data.</summary>
    public OnnxGraphBuilder Initializer(string name, string datatype, long[] dims, byte[] rawData)
    {
        var tensor = new TensorProto { Name = name, DataType = OnnxElementType.FromProtocol(datatype), RawData = ByteString.CopyFrom(rawData) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Adds a node of the default ONNX domain, with optional integer and integer-list attributes.</summary>
    public OnnxGraphBuilder Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes) =>
        Add(new NodeProto { OpType = opType, Name = $"{opType}_{_nodes++}" }, inputs, outputs, attributes);

    /// <summary>
    /// Adds a node of ONNX Runtime's contrib domain (<see cref="MicrosoftDomain"/>), which the model then imports at
    /// <see cref="MicrosoftOpset"/>. An empty input name leaves an optional input out, as ONNX does.
    /// </summary>
    public OnnxGraphBuilder ContribNode(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes) =>
        DomainNode(MicrosoftDomain, MicrosoftOpset, opType, inputs, outputs, attributes);

    /// <summary>Adds a node of operator set <paramref name="domain"/>, which the model then imports at <paramref name="version"/>.</summary>
    /// <exception cref="ArgumentException">The default domain (use <see cref="Node"/>), or a domain already imported at another version.</exception>
    public OnnxGraphBuilder DomainNode(string domain, int version, string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        if (string.IsNullOrEmpty(domain) || domain == "ai.onnx")
        {
            throw new ArgumentException("The default ONNX domain is imported at Opset; add its nodes with Node.", nameof(domain));
        }

        if (_domains.TryGetValue(domain, out var imported) && imported != version)
        {
            throw new ArgumentException($"Domain '{domain}' is already imported at version {imported}; a model imports a domain once.", nameof(version));
        }

        _domains[domain] = version;
        return Add(new NodeProto { OpType = opType, Domain = domain, Name = $"{opType}_{_nodes++}" }, inputs, outputs, attributes);
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto IntAttribute(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A float attribute.</summary>
    public static AttributeProto FloatAttribute(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };

    /// <summary>The model file's bytes. The same graph always gives the same bytes.</summary>
    public byte[] ToBytes()
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "GrainServe.ModelBuilder",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (domain, version) in _domains)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        return model.ToByteArray();
    }

    private OnnxGraphBuilder Add(NodeProto node, string[] inputs, string[] outputs, AttributeProto[] attributes)
    {
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    private static ValueInfoProto ValueInfo(string name, string datatype, long[] dims) =>
        ValueInfo(name, datatype, dims.Select((d, i) => d < 0 ? new OnnxDim(0, $"{name}_d{i}") : new OnnxDim(d, null)).ToArray());

    private static ValueInfoProto ValueInfo(string name, string datatype, OnnxDim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim.Param is { } param
                ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = OnnxElementType.FromProtocol(datatype), Shape = shape } },
        };
    }
}
