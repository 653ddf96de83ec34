using GrainServe.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Generation;

/// <summary>
/// What a decoder-only ONNX model takes and gives: the names and element types of its ids, mask, positions, logits
/// and per-layer KV cache, and the attention shape, read from the session's metadata. A <c>genai_config.json</c>
/// beside the model wins for vocabulary size, EOS and context length, names the KV tensors when it gives patterns,
/// and fills in what the graph leaves symbolic; a fixed graph dimension that contradicts it fails the load.
/// </summary>
public sealed class DecoderLayout
{
    private const string DefaultInputIds = "input_ids";
    private const string DefaultAttentionMask = "attention_mask";
    private const string DefaultPositionIds = "position_ids";
    private const string DefaultLogits = "logits";
    private const string DefaultHiddenStates = "hidden_states";
    private const string DefaultCrossQk = "output_cross_qk_%d";
    private const string DefaultUseCacheBranch = "use_cache_branch";
    private const string DefaultEncoderHiddenStates = "encoder_hidden_states";

    private static readonly (KvNaming Naming, string PastKey, string? PastValue, string PresentKey, string? PresentValue)[] KnownKvNames =
    [
        (KvNaming.Separate, "past_key_values.%d.key", "past_key_values.%d.value", "present.%d.key", "present.%d.value"),
        (KvNaming.Stacked, "past_%d", null, "present_%d", null),

        // Encoder-decoder exports: onnxruntime-genai's Whisper, then Optimum's decoder with past.
        (KvNaming.Separate, "past_key_self_%d", "past_value_self_%d", "present_key_self_%d", "present_value_self_%d"),
        (KvNaming.Separate, "past_key_values.%d.decoder.key", "past_key_values.%d.decoder.value", "present.%d.decoder.key", "present.%d.decoder.value"),
    ];

    private static readonly (string Key, string Value)[] KnownCrossNames =
    [
        ("past_key_cross_%d", "past_value_cross_%d"),
        ("past_key_values.%d.encoder.key", "past_key_values.%d.encoder.value"),
    ];

    private DecoderLayout()
    {
    }

    /// <summary>The token ids input, <c>[batch, seq]</c>.</summary>
    public required string InputIds { get; init; }

    /// <summary>The ids' element type: <see cref="TensorElementType.Int32"/> or <see cref="TensorElementType.Int64"/>.</summary>
    public required TensorElementType InputIdsType { get; init; }

    /// <summary>
    /// The attention mask input, <c>[batch, past_seq + seq]</c>: 1 on tokens to attend to, 0 on padding; null when the
    /// graph has none (Whisper decoders as onnxruntime-genai exports them), so rows can only batch without padding.
    /// </summary>
    public string? AttentionMask { get; init; }

    /// <summary>The mask's element type (meaningless when <see cref="AttentionMask"/> is null).</summary>
    public TensorElementType AttentionMaskType { get; init; }

    /// <summary>
    /// Per decoder layer, its cross-attention inputs; empty for a decoder-only model. A decoder with them is conditioned
    /// per sequence on an encoder's output (see <see cref="CrossAttentionState"/>).
    /// </summary>
    public IReadOnlyList<CrossKvNames> CrossLayers { get; init; } = [];

    /// <summary>Whether the decoder takes cross-attention inputs: the decoder of an encoder-decoder model.</summary>
    public bool IsEncoderDecoder => CrossLayers.Count > 0;

    /// <summary>
    /// Hugging Face Optimum's merged decoder's branch switch, bool <c>[1]</c>, or null when the graph has none: the step
    /// model feeds true (the with-past branch) at every step, a sequence's first included, with an empty past; the
    /// no-past branch is only run to compute the cross-attention state (Whisper's first pass, outside the engine).
    /// </summary>
    public string? UseCacheBranch { get; init; }

    /// <summary>
    /// The encoder-output input a merged decoder declares for its no-past branch (<c>encoder_hidden_states</c>
    /// <c>[batch, encoder_positions, hidden]</c>), or null when the graph has none. The with-past branch never reads it,
    /// so steps feed one zero position per row (<see cref="EncoderHiddenSize"/> floats), not the encoder's output.
    /// </summary>
    public string? EncoderHiddenStates { get; init; }

    /// <summary>Floats per position of <see cref="EncoderHiddenStates"/>; 0 without it.</summary>
    public int EncoderHiddenSize { get; init; }

    /// <summary>Encoder positions the cross-attention inputs hold (1500 for Whisper), or null when the graph leaves them symbolic.</summary>
    public int? EncoderPositions { get; init; }

    /// <summary>
    /// Per decoder layer, the output holding its cross-attention weights before the softmax, <c>[batch, heads, seq,
    /// encoder_positions]</c> (onnxruntime-genai's <c>output_cross_qk_{i}</c>, named by genai_config.json's
    /// <c>output_cross_qk_names</c>); empty when the graph does not output them for every layer. Computed only for
    /// sequences that ask (<see cref="GenerationRequest.StepOutputs"/>): Whisper's word timestamps need them.
    /// </summary>
    public IReadOnlyList<string> CrossAttentionWeights { get; init; } = [];

    /// <summary>
    /// Whether rows of different lengths can share a run: the graph takes a mask (padding is masked out) and position
    /// ids (left padding does not shift positions). Without both, only rows with the same past and new lengths batch.
    /// </summary>
    public bool PadsRows => AttentionMask is not null && PositionIds is not null && !FusedGroupQueryAttention;

    /// <summary>
    /// Whether the graph uses onnxruntime-genai's fused <c>GroupQueryAttention</c>, which reads each row's past as
    /// right-padded, with its length from the mask's sum, and writes its new vectors right after that past: left-padded
    /// rows would attend to padding. Such a model never left-pads (see <see cref="RightPadsRows"/>). Read from the file
    /// by <see cref="Read(InferenceSession, string?, string?)"/> when it is given the model's path.
    /// </summary>
    public bool FusedGroupQueryAttention { get; private set; }

    /// <summary>
    /// Whether rows at different positions share a run right-padded: a fused <c>GroupQueryAttention</c> graph that
    /// takes the mask (from which it computes <c>seqlens_k</c>). Each row's past is then the first positions of the
    /// past tensors and its mask ones on its real tokens then zeros (<see cref="StepPlan.RightPadded"/>). The operator
    /// runs a chunk of more than one token after a past only at batch 1, so the step model right-pads decodes only.
    /// </summary>
    public bool RightPadsRows => FusedGroupQueryAttention && AttentionMask is not null;

    /// <summary>The operator <see cref="FusedGroupQueryAttention"/> looks for.</summary>
    internal const string GroupQueryAttentionOperator = "GroupQueryAttention";

    /// <summary>Marks the layout as using fused grouped-query attention (the file scan, or a test).</summary>
    internal DecoderLayout WithFusedGroupQueryAttention()
    {
        FusedGroupQueryAttention = true;
        return this;
    }

    /// <summary>The position ids input, <c>[batch, seq]</c>, or null when the graph derives positions from the mask.</summary>
    public string? PositionIds { get; init; }

    /// <summary>The positions' element type (meaningless when <see cref="PositionIds"/> is null).</summary>
    public TensorElementType PositionIdsType { get; init; }

    /// <summary>The logits output, <c>[batch, seq, vocab]</c>.</summary>
    public required string Logits { get; init; }

    /// <summary>The logits' element type: <see cref="TensorElementType.Float"/> or <see cref="TensorElementType.Float16"/>.</summary>
    public required TensorElementType LogitsType { get; init; }

    /// <summary>
    /// The last hidden state output, float <c>[batch, seq, hidden]</c>, or null when the graph has none (genai config
    /// output <c>hidden_states</c>, default name <c>hidden_states</c>). XTTS's GPT has one: its vocoder speaks the hidden
    /// states, so the step model hands them to the engine beside the logits.
    /// </summary>
    public string? HiddenStates { get; init; }

    /// <summary>Floats per position of <see cref="HiddenStates"/>; 0 without it.</summary>
    public int HiddenSize { get; init; }

    /// <summary>How the KV tensors are named and shaped.</summary>
    public required KvNaming KvNaming { get; init; }

    /// <summary>Each layer's KV names, layer 0 first; the count is the number of layers.</summary>
    public required IReadOnlyList<KvLayerNames> Layers { get; init; }

    /// <summary>The KV element type: <see cref="TensorElementType.Float"/> or <see cref="TensorElementType.Float16"/>.</summary>
    public required TensorElementType KvType { get; init; }

    /// <summary>KV heads per layer (query heads may be more, under grouped-query attention).</summary>
    public required int KvHeads { get; init; }

    /// <summary>Elements per head.</summary>
    public required int HeadSize { get; init; }

    /// <summary>Logits per position.</summary>
    public required int VocabularySize { get; init; }

    /// <summary>The most tokens a sequence may hold.</summary>
    public required int ContextLength { get; init; }

    /// <summary>The end-of-sequence tokens; empty when neither the config nor the caller names any.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>The beginning-of-sequence token, or null.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>The padding token, or null.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>Bytes of one KV element: 4 for float32, 2 for float16.</summary>
    public int KvElementBytes => KvType == TensorElementType.Float16 ? 2 : 4;

    /// <summary>Bytes of KV cache one token of one sequence takes: layers × 2 (key, value) × KV heads × head size × element bytes.</summary>
    public long KvBytesPerToken => (long)Layers.Count * 2 * KvHeads * HeadSize * KvElementBytes;

    /// <summary>
    /// Reads the layout of <paramref name="session"/>'s model, with <c>genai_config.json</c> from
    /// <paramref name="modelFolder"/> when the folder has one (null: the graph alone).
    /// </summary>
    /// <param name="session">The decoder's session.</param>
    /// <param name="modelFolder">The folder of its genai_config.json, or null.</param>
    /// <param name="modelPath">The decoder's file, scanned for a fused <c>GroupQueryAttention</c> (see <see cref="FusedGroupQueryAttention"/>); null skips the scan.</param>
    /// <exception cref="ModelLoadException">The model fits neither KV style, or lacks something it needs; the message names what.</exception>
    public static DecoderLayout Read(InferenceSession session, string? modelFolder, string? modelPath = null)
    {
        var config = modelFolder is null ? null : GenAiConfig.TryLoad(modelFolder);
        var layout = Read(session.InputMetadata, session.OutputMetadata, config, modelFolder ?? "decoder");
        return modelPath is not null && File.Exists(modelPath) && OnnxGraphScan.Mentions(modelPath, GroupQueryAttentionOperator)
            ? layout.WithFusedGroupQueryAttention()
            : layout;
    }

    /// <summary>Reads a layout from a graph's input and output metadata and an optional config; <paramref name="source"/> names the model in errors.</summary>
    /// <exception cref="ModelLoadException">The model fits neither KV style, or lacks something it needs; the message names what.</exception>
    public static DecoderLayout Read(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs, GenAiConfig? config, string source)
    {
        string Fail(string why) => throw new ModelLoadException($"decoder '{source}': {why}");

        var configInputs = config?.DecoderInputs ?? new Dictionary<string, string>();
        var configOutputs = config?.DecoderOutputs ?? new Dictionary<string, string>();
        var inputIds = configInputs.GetValueOrDefault("input_ids", DefaultInputIds);
        var attentionMask = configInputs.GetValueOrDefault("attention_mask", DefaultAttentionMask);
        var positionIds = configInputs.GetValueOrDefault("position_ids", DefaultPositionIds);
        var logits = configOutputs.GetValueOrDefault("logits", DefaultLogits);

        NodeMetadata Need(IReadOnlyDictionary<string, NodeMetadata> metadata, string name, string kind) =>
            metadata.TryGetValue(name, out var node) && node.IsTensor
                ? node
                : throw new ModelLoadException($"decoder '{source}': no {kind} tensor '{name}' (it has {string.Join(", ", metadata.Keys)})");

        TensorElementType Integer(NodeMetadata node, string name) => node.ElementDataType is TensorElementType.Int32 or TensorElementType.Int64
            ? node.ElementDataType
            : throw new ModelLoadException($"decoder '{source}': input '{name}' is {node.ElementDataType}; int32 or int64 expected");

        var idsType = Integer(Need(inputs, inputIds, "input"), inputIds);
        var hasMask = inputs.ContainsKey(attentionMask);
        var maskType = hasMask ? Integer(inputs[attentionMask], attentionMask) : TensorElementType.Int64;
        var hasPositions = inputs.ContainsKey(positionIds);
        var positionsType = hasPositions ? Integer(inputs[positionIds], positionIds) : TensorElementType.Int64;
        var logitsNode = Need(outputs, logits, "output");
        if (logitsNode.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16) || logitsNode.Dimensions.Length != 3)
        {
            Fail($"output '{logits}' is {logitsNode.ElementDataType} of rank {logitsNode.Dimensions.Length}; float or float16 [batch, seq, vocab] expected");
        }

        var hiddenName = configOutputs.GetValueOrDefault("hidden_states", DefaultHiddenStates);
        var hiddenSize = 0;
        if (outputs.TryGetValue(hiddenName, out var hiddenNode))
        {
            if (hiddenNode.ElementDataType != TensorElementType.Float || hiddenNode.Dimensions.Length != 3 || hiddenNode.Dimensions[2] <= 0)
            {
                Fail($"output '{hiddenName}' is {hiddenNode.ElementDataType} [{string.Join(", ", hiddenNode.Dimensions)}]; float [batch, seq, hidden] with a fixed hidden size expected");
            }

            hiddenSize = hiddenNode.Dimensions[2];
        }

        var (naming, layers) = KvNames(inputs, outputs, configInputs, configOutputs, source);
        var kvType = inputs[layers[0].PastKey].ElementDataType;
        if (kvType is not (TensorElementType.Float or TensorElementType.Float16))
        {
            Fail($"KV input '{layers[0].PastKey}' is {kvType}; float or float16 expected");
        }

        var rank = naming == KvNaming.Stacked ? 5 : 4;
        var graphHeads = -1;
        var graphHeadSize = -1;
        foreach (var layer in layers)
        {
            foreach (var (name, node) in new[] { layer.PastKey, layer.PastValue }.OfType<string>().Select(n => (n, inputs[n]))
                .Concat(new[] { layer.PresentKey, layer.PresentValue }.OfType<string>().Select(n => (n, outputs[n]))))
            {
                var dims = node.Dimensions;
                if (node.ElementDataType != kvType || dims.Length != rank || (naming == KvNaming.Stacked && dims[0] > 0 && dims[0] != 2))
                {
                    Fail(naming == KvNaming.Stacked
                        ? $"KV tensor '{name}' is {node.ElementDataType} [{string.Join(", ", dims)}]; {kvType} [2, batch, heads, seq, head_size] expected"
                        : $"KV tensor '{name}' is {node.ElementDataType} [{string.Join(", ", dims)}]; {kvType} [batch, kv_heads, seq, head_size] expected");
                }

                graphHeads = Agree(graphHeads, dims[rank - 3], name, "heads", source);
                graphHeadSize = Agree(graphHeadSize, dims[rank - 1], name, "head size", source);
            }
        }

        var configHeads = config?.NumKeyValueHeads ?? config?.NumAttentionHeads;
        var heads = Resolve(graphHeads, configHeads, "KV heads", "num_key_value_heads", source);
        var headSize = Resolve(graphHeadSize, config?.HeadSize, "head size", "head_size", source);
        var vocabulary = Resolve(logitsNode.Dimensions[2], config?.VocabularySize, "vocabulary size", "vocab_size", source);
        if (config?.NumHiddenLayers is { } configLayers && configLayers != layers.Length)
        {
            Fail($"{GenAiConfig.FileName} says num_hidden_layers {configLayers}, but the graph has {layers.Length} layers of KV inputs");
        }

        var context = config?.ContextLength
            ?? throw new ModelLoadException($"decoder '{source}': the context length is unknown (graphs do not carry it): put a {GenAiConfig.FileName} with model.context_length beside the model");

        var cross = CrossNames(inputs, configInputs, layers.Length, source);
        int? encoderPositions = null;
        foreach (var name in cross.SelectMany(c => new[] { c.Key, c.Value }))
        {
            var dims = inputs[name].Dimensions;
            if (inputs[name].ElementDataType != kvType || dims.Length != 4)
            {
                Fail($"cross-attention input '{name}' is {inputs[name].ElementDataType} [{string.Join(", ", dims)}]; {kvType} [batch, heads, encoder_positions, head_size] expected");
            }

            _ = Agree(heads, dims[1], name, "heads", source);
            _ = Agree(headSize, dims[3], name, "head size", source);
            encoderPositions = dims[2] > 0 ? Agree(encoderPositions ?? -1, dims[2], name, "encoder positions", source) : encoderPositions;
        }

        var crossQk = configOutputs.GetValueOrDefault("output_cross_qk_names", DefaultCrossQk);
        var crossWeights = cross.Length > 0 && Enumerable.Range(0, layers.Length).All(i => outputs.ContainsKey(GenAiConfig.LayerName(crossQk, i)))
            ? Enumerable.Range(0, layers.Length).Select(i => GenAiConfig.LayerName(crossQk, i)).ToArray()
            : [];
        var useCacheBranch = configInputs.GetValueOrDefault("use_cache_branch", DefaultUseCacheBranch);
        var hasBranch = cross.Length > 0 && inputs.ContainsKey(useCacheBranch);
        if (hasBranch && (inputs[useCacheBranch].ElementDataType != TensorElementType.Bool || inputs[useCacheBranch].Dimensions.Aggregate(1L, (a, d) => a * Math.Max(d, 1)) != 1))
        {
            Fail($"input '{useCacheBranch}' is {inputs[useCacheBranch].ElementDataType} [{string.Join(", ", inputs[useCacheBranch].Dimensions)}]; Optimum's merged decoders take bool [1]");
        }

        var encoderHidden = configInputs.GetValueOrDefault("encoder_hidden_states", DefaultEncoderHiddenStates);
        var hasEncoderHidden = hasBranch && inputs.ContainsKey(encoderHidden);
        var encoderHiddenSize = 0;
        if (hasEncoderHidden)
        {
            var dims = inputs[encoderHidden].Dimensions;
            if (inputs[encoderHidden].ElementDataType != kvType || dims.Length != 3)
            {
                Fail($"input '{encoderHidden}' is {inputs[encoderHidden].ElementDataType} [{string.Join(", ", dims)}]; {kvType} [batch, encoder_positions, hidden] expected");
            }

            encoderHiddenSize = dims[2] > 0 ? dims[2] : heads * headSize;
        }

        var known = new HashSet<string>(StringComparer.Ordinal) { inputIds, attentionMask, positionIds };
        if (hasBranch)
        {
            known.Add(useCacheBranch);
        }

        if (hasEncoderHidden)
        {
            known.Add(encoderHidden);
        }

        known.UnionWith(layers.SelectMany(l => new[] { l.PastKey, l.PastValue }).OfType<string>());
        known.UnionWith(cross.SelectMany(c => new[] { c.Key, c.Value }));
        if (inputs.Keys.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
        {
            Fail($"input '{unknown}' is none of ids, mask, positions, self-attention KV or cross-attention KV");
        }

        if (!hasMask && cross.Length == 0)
        {
            Fail($"no input tensor '{attentionMask}': a decoder-only model needs its attention mask (it has {string.Join(", ", inputs.Keys)})");
        }

        return new DecoderLayout
        {
            InputIds = inputIds,
            InputIdsType = idsType,
            AttentionMask = hasMask ? attentionMask : null,
            AttentionMaskType = maskType,
            CrossLayers = cross,
            EncoderPositions = encoderPositions,
            UseCacheBranch = hasBranch ? useCacheBranch : null,
            EncoderHiddenStates = hasEncoderHidden ? encoderHidden : null,
            EncoderHiddenSize = encoderHiddenSize,
            CrossAttentionWeights = crossWeights,
            PositionIds = hasPositions ? positionIds : null,
            PositionIdsType = positionsType,
            Logits = logits,
            LogitsType = logitsNode.ElementDataType,
            HiddenStates = hiddenSize > 0 ? hiddenName : null,
            HiddenSize = hiddenSize,
            KvNaming = naming,
            Layers = layers,
            KvType = kvType,
            KvHeads = heads,
            HeadSize = headSize,
            VocabularySize = vocabulary,
            ContextLength = context,
            EosTokenIds = config?.EosTokenIds ?? [],
            BosTokenId = config?.BosTokenId,
            PadTokenId = config?.PadTokenId,
        };
    }

    private static (KvNaming Naming, KvLayerNames[] Layers) KvNames(
        IReadOnlyDictionary<string, NodeMetadata> inputs,
        IReadOnlyDictionary<string, NodeMetadata> outputs,
        IReadOnlyDictionary<string, string> configInputs,
        IReadOnlyDictionary<string, string> configOutputs,
        string source)
    {
        var candidates = new List<(KvNaming Naming, string PastKey, string? PastValue, string PresentKey, string? PresentValue)>();
        if (configInputs.TryGetValue("past_key_names", out var keys) && configInputs.TryGetValue("past_value_names", out var values))
        {
            candidates.Add((KvNaming.Separate, keys, values, configOutputs.GetValueOrDefault("present_key_names", "present.%d.key"), configOutputs.GetValueOrDefault("present_value_names", "present.%d.value")));
        }

        if (configInputs.TryGetValue("past_names", out var stacked))
        {
            candidates.Add((KvNaming.Stacked, stacked, null, configOutputs.GetValueOrDefault("present_names", "present_%d"), null));
        }

        candidates.AddRange(KnownKvNames);
        foreach (var (naming, pastKey, pastValue, presentKey, presentValue) in candidates)
        {
            if (!inputs.ContainsKey(GenAiConfig.LayerName(pastKey, 0)))
            {
                continue;
            }

            var layers = new List<KvLayerNames>();
            for (var i = 0; inputs.ContainsKey(GenAiConfig.LayerName(pastKey, i)); i++)
            {
                var layer = new KvLayerNames(
                    GenAiConfig.LayerName(pastKey, i),
                    pastValue is null ? null : GenAiConfig.LayerName(pastValue, i),
                    GenAiConfig.LayerName(presentKey, i),
                    presentValue is null ? null : GenAiConfig.LayerName(presentValue, i));
                var missing = new[] { (layer.PastValue, inputs, "input"), (layer.PresentKey, outputs, "output"), (layer.PresentValue, outputs, "output") }
                    .FirstOrDefault(m => m.Item1 is not null && !m.Item2.ContainsKey(m.Item1));
                if (missing.Item1 is not null)
                {
                    throw new ModelLoadException($"decoder '{source}': layer {i} has KV input '{layer.PastKey}' but no {missing.Item3} '{missing.Item1}'");
                }

                layers.Add(layer);
            }

            return (naming, layers.ToArray());
        }

        throw new ModelLoadException(
            $"decoder '{source}': no KV cache inputs: expected '{string.Join("' or '", candidates.Select(c => GenAiConfig.LayerName(c.PastKey, 0)).Distinct())}' " +
            $"(Optimum / onnxruntime-genai: past_key_values.{{i}}.key and .value; GPT-2 legacy: past_{{i}}), but the inputs are {string.Join(", ", inputs.Keys)}");
    }

    private static CrossKvNames[] CrossNames(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, string> configInputs, int layers, string source)
    {
        var candidates = new List<(string Key, string Value)>();
        if (configInputs.TryGetValue("cross_past_key_names", out var keys) && configInputs.TryGetValue("cross_past_value_names", out var values))
        {
            candidates.Add((keys, values));
        }

        candidates.AddRange(KnownCrossNames);
        foreach (var (key, value) in candidates)
        {
            if (!inputs.ContainsKey(GenAiConfig.LayerName(key, 0)))
            {
                continue;
            }

            var names = new CrossKvNames[layers];
            for (var i = 0; i < layers; i++)
            {
                names[i] = new CrossKvNames(GenAiConfig.LayerName(key, i), GenAiConfig.LayerName(value, i));
                if (!inputs.ContainsKey(names[i].Key) || !inputs.ContainsKey(names[i].Value))
                {
                    throw new ModelLoadException($"decoder '{source}': layer {i} lacks its cross-attention inputs '{names[i].Key}' and '{names[i].Value}'");
                }
            }

            return names;
        }

        return [];
    }

    private static int Agree(int known, int dim, string name, string what, string source) =>
        dim <= 0 || known <= 0 || known == dim
            ? Math.Max(known, dim)
            : throw new ModelLoadException($"decoder '{source}': KV tensor '{name}' has {what} {dim}, other KV tensors {known}");

    private static int Resolve(int graph, int? config, string what, string key, string source)
    {
        if (graph > 0 && config is { } c && c != graph)
        {
            throw new ModelLoadException($"decoder '{source}': the graph fixes the {what} at {graph}, but {GenAiConfig.FileName} says {key} {c}");
        }

        return graph > 0 ? graph : config
            ?? throw new ModelLoadException($"decoder '{source}': the graph leaves the {what} symbolic: put a {GenAiConfig.FileName} with model.decoder.{key} (or model.{key}) beside the model");
    }
}
