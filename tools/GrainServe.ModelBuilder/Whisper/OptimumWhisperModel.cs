using Google.Protobuf;
using GrainServe.ModelBuilder.Onnx;

namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// A Whisper model folder as Hugging Face Optimum exports it, with the weights <see cref="WhisperModel"/> gives the
/// same arguments (so both layouts of one seed are one model): <see cref="EncoderFile"/> (<c>input_features</c> in,
/// <c>last_hidden_state</c> out), and either <see cref="MergedDecoderFile"/> or the pair <see cref="NoPastDecoderFile"/>
/// + <see cref="WithPastDecoderFile"/>, with Hugging Face's <c>config.json</c>.
/// </summary>
/// <remarks>
/// The merged decoder is built as Optimum's <c>merge_decoders</c> builds it: one <c>If</c> node on
/// <c>use_cache_branch</c> (bool[1]) whose <c>then</c> branch is the decoder with past and whose <c>else</c> branch
/// the decoder without; the graph's inputs are both decoders' (<c>input_ids</c>, <c>encoder_hidden_states</c>,
/// <c>past_key_values.{i}.decoder.key</c>/<c>.value</c>, <c>past_key_values.{i}.encoder.key</c>/<c>.value</c>) plus
/// <c>use_cache_branch</c>; its outputs the decoder without past's, the with-past branch answering the
/// <c>present.{i}.encoder.*</c> it does not compute with empty constants <c>[0, heads, 1, head_size]</c>; weights
/// both branches use sit once in the outer graph, scalar and small integer constants stay in each branch.
/// </remarks>
public static class OptimumWhisperModel
{
    /// <summary>Optimum's encoder file.</summary>
    public const string EncoderFile = "encoder_model.onnx";

    /// <summary>Optimum's merged decoder file.</summary>
    public const string MergedDecoderFile = "decoder_model_merged.onnx";

    /// <summary>Optimum's decoder without past: the first pass, which also outputs the cross-attention KV.</summary>
    public const string NoPastDecoderFile = "decoder_model.onnx";

    /// <summary>Optimum's decoder with past: every later step.</summary>
    public const string WithPastDecoderFile = "decoder_with_past_model.onnx";

    /// <summary>Hugging Face's model configuration, which Optimum copies beside the ONNX files.</summary>
    public const string HuggingFaceConfigFile = "config.json";

    /// <summary>The file the server's config.json names as the model's: the merged decoder, or the decoder with past.</summary>
    public static string DecoderFile(WhisperLayout layout) => layout == WhisperLayout.OptimumMerged ? MergedDecoderFile : WithPastDecoderFile;

    /// <summary>Every file of the model in <paramref name="layout"/> (<see cref="WhisperLayout.OptimumMerged"/> or <see cref="WhisperLayout.OptimumSplit"/>).</summary>
    public static IEnumerable<(string Name, byte[] Content)> Files(WhisperDims dims, WhisperLayout layout, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7)
    {
        if (layout is not (WhisperLayout.OptimumMerged or WhisperLayout.OptimumSplit))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "not an Optimum layout");
        }

        yield return (EncoderFile, WhisperEncoder.BuildOptimum(dims, weights, seed));
        var noPast = WhisperDecoder.BuildOptimumNoPast(dims, weights, seed);
        var withPast = WhisperDecoder.BuildOptimumWithPast(dims, weights, seed);
        if (layout == WhisperLayout.OptimumMerged)
        {
            yield return (MergedDecoderFile, Merge(noPast, withPast, dims));
        }
        else
        {
            yield return (NoPastDecoderFile, noPast);
            yield return (WithPastDecoderFile, withPast);
        }

        yield return (HuggingFaceConfigFile, System.Text.Encoding.UTF8.GetBytes(HuggingFaceConfig(dims)));
    }

    /// <summary>Writes <see cref="Files"/> into <paramref name="folder"/>, creating it as needed.</summary>
    public static void Write(string folder, WhisperDims dims, WhisperLayout layout, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in Files(dims, layout, weights, seed))
        {
            File.WriteAllBytes(Path.Combine(folder, name), content);
        }
    }

    /// <summary>The parts of Hugging Face's WhisperConfig a server reads: shapes, context and special tokens.</summary>
    public static string HuggingFaceConfig(WhisperDims dims) => ($$"""
        {
          "model_type": "whisper",
          "architectures": ["WhisperForConditionalGeneration"],
          "d_model": {{dims.Hidden}},
          "encoder_layers": {{dims.EncoderLayers}},
          "decoder_layers": {{dims.DecoderLayers}},
          "encoder_attention_heads": {{dims.Heads}},
          "decoder_attention_heads": {{dims.Heads}},
          "encoder_ffn_dim": {{dims.Ffn}},
          "decoder_ffn_dim": {{dims.Ffn}},
          "num_mel_bins": {{dims.MelBins}},
          "max_source_positions": {{dims.AudioPositions}},
          "max_target_positions": {{dims.TextContext}},
          "vocab_size": {{dims.Vocab}},
          "bos_token_id": {{WhisperModel.EndOfText}},
          "eos_token_id": {{WhisperModel.EndOfText}},
          "pad_token_id": {{WhisperModel.EndOfText}},
          "decoder_start_token_id": {{WhisperModel.StartOfTranscript}}
        }
        """).ReplaceLineEndings("\n") + "\n";

    // Optimum's merge_decoders over the two graphs this builder wrote.
    private static byte[] Merge(byte[] noPastBytes, byte[] withPastBytes, WhisperDims dims)
    {
        var noPast = ModelProto.Parser.ParseFrom(noPastBytes);
        var withPast = ModelProto.Parser.ParseFrom(withPastBytes);
        var shared = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        GraphProto Branch(GraphProto graph, string name)
        {
            var branch = new GraphProto { Name = name };
            branch.Node.AddRange(graph.Node);
            foreach (var initializer in graph.Initializer)
            {
                if (initializer.Dims.Count == 0 || (initializer.Dims.Count == 1 && initializer.DataType is 6 or 7))
                {
                    branch.Initializer.Add(initializer);
                }
                else if (!shared.TryAdd(initializer.Name, initializer) && !shared[initializer.Name].RawData.Equals(initializer.RawData))
                {
                    throw new InvalidOperationException($"the decoders' weight '{initializer.Name}' differs between them");
                }
            }

            return branch;
        }

        var elseBranch = Branch(noPast.Graph, "no_past");
        elseBranch.Output.AddRange(noPast.Graph.Output);
        var thenBranch = Branch(withPast.Graph, "with_past");
        var withPastOutputs = withPast.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var output in noPast.Graph.Output)
        {
            thenBranch.Output.Add(output);
            if (!withPastOutputs.Contains(output.Name))
            {
                var empty = new TensorProto { Name = "const_tensor", DataType = output.Type.TensorType.ElemType };
                empty.Dims.AddRange([0, dims.Heads, 1, dims.HeadSize]);
                var constant = new NodeProto { OpType = "Constant", Name = $"Constant_{output.Name}" };
                constant.Output.Add(output.Name);
                constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = empty });
                thenBranch.Node.Add(constant);
            }
        }

        var merged = new GraphProto { Name = "merged" };
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        merged.Input.AddRange(noPast.Graph.Input.Concat(withPast.Graph.Input).Where(i => inputs.Add(i.Name)));
        var flag = new TensorShapeProto();
        flag.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        merged.Input.Add(new ValueInfoProto
        {
            Name = "use_cache_branch",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 9, Shape = flag } },
        });
        merged.Output.AddRange(noPast.Graph.Output);
        merged.Initializer.AddRange(shared.Values);
        var ifNode = new NodeProto { OpType = "If", Name = "optimum::if" };
        ifNode.Input.Add("use_cache_branch");
        ifNode.Output.AddRange(noPast.Graph.Output.Select(o => o.Name));
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        ifNode.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBranch });
        merged.Node.Add(ifNode);
        var model = new ModelProto { IrVersion = noPast.IrVersion, ProducerName = noPast.ProducerName, Graph = merged };
        model.OpsetImport.AddRange(noPast.OpsetImport);
        return model.ToByteArray();
    }
}
