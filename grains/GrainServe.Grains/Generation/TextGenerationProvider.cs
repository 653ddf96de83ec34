using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Generation;

/// <summary>
/// Serves <c>model_kind: text_generation</c>: a decoder-only ONNX model with a KV cache, its tokenizer and chat
/// template, behind a <see cref="GenerationEngine"/>. An instance is charged its model file plus the whole KV pool
/// (<c>kv_cache_bytes</c>), reserved when it loads, so running requests never race other loads for memory.
/// </summary>
internal sealed partial class TextGenerationProvider(OnnxSessionFactory sessions, TimeProvider time, ILogger<TextGenerationProvider> logger, LocalDeviceCatalog? catalog = null) : IModelRunnerProvider
{
    public IReadOnlyList<string> Kinds { get; } = [ModelKinds.TextGeneration];

    public long EstimateBytes(ModelDefinition model, long version) =>
        model.ModelBytes(version) + TextGenerationSettings.FromConfig(model.Name, model.Config).Engine.KvCacheBytes;

    public IInstanceScheduler Create(ModelDefinition model, long version, LocalDevice device)
    {
        var settings = TextGenerationSettings.FromConfig(model.Name, model.Config);
        var path = model.ModelPath(version);
        var folder = Path.GetDirectoryName(path)!;
        var tokenizer = GenerationTokenizerLoader.Load(folder, settings.Tokenizer);
        var template = ChatTemplateOf(model.Name, settings.ChatTemplate, folder, time);
        var session = sessions.Create(path, model.Name, version, device);
        OnnxDecoderStepModel? stepModel = null;
        try
        {
            var layout = DecoderLayout.Read(session, folder, path);
            if (layout.IsEncoderDecoder)
            {
                throw new ModelLoadException($"model '{model.Name}': '{path}' is the decoder of an encoder-decoder model (it takes cross-attention inputs such as '{layout.CrossLayers[0].Key}'); serve it with platform \"whisper\", not as text generation");
            }

            stepModel = new OnnxDecoderStepModel(session, layout, settings.KvBinding, CudaDeviceId(device));
            var versionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var instance = new TextGenerationInstance(EffectiveConfig(model), versionText, stepModel, tokenizer, template, layout.EosTokenIds, settings.Engine, time, catalog?.KeyOf(device) ?? device.DeviceId);
            LogLoaded(logger, model.Name, versionText, layout.Layers.Count, instance.MaxSequenceTokens, settings.Engine.KvCacheBytes);
            return instance;
        }
        catch
        {
            if (stepModel is not null)
            {
                stepModel.Dispose();
            }
            else
            {
                session.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// The chat template of the model version in <paramref name="folder"/>: the named one of <paramref name="setting"/>,
    /// else the model's own Jinja template (required when the setting is <see cref="ChatTemplates.TokenizerConfig"/>),
    /// else none.
    /// </summary>
    /// <exception cref="ModelLoadException">The model's own template is required and missing, or does not parse.</exception>
    internal static ChatTemplate? ChatTemplateOf(string modelName, string? setting, string folder, TimeProvider time)
    {
        // A named template wins over the model's own: naming one is the operator's explicit choice (README, chat
        // templates), and it also serves a model whose own template this interpreter cannot parse.
        if (setting is not null && !string.Equals(setting, ChatTemplates.TokenizerConfig, StringComparison.OrdinalIgnoreCase))
        {
            return ChatTemplates.Get(setting);
        }

        try
        {
            return JinjaChatTemplate.Load(folder, time) ?? (setting is null ? null
                : throw new ModelLoadException($"parameter chat_template is '{setting}' but {folder} has no {JinjaChatTemplate.TemplateFile} and no chat_template in {JinjaChatTemplate.TokenizerConfigFile}; add one, or name a template ({string.Join(", ", ChatTemplates.Names.Order(StringComparer.Ordinal))})"));
        }
        catch (ModelLoadException e)
        {
            throw new ModelLoadException($"model '{modelName}': {e.Message}", e);
        }
    }

    // The session factory appends the CUDA provider exactly when this holds; should appending it fail, the session has
    // no CUDA allocator and the IOBinding backend keeps its buffers on the host.
    private static int? CudaDeviceId(LocalDevice device) =>
        device.Kind == DeviceKind.Gpu && OrtEnv.Instance().GetAvailableProviders().Contains(OnnxSessionFactory.CudaProvider) ? device.Index : null;

    // What the V2 metadata routes show: Triton's vLLM backend's tensors (text in, text out), no batch dimension.
    private static ModelConfig EffectiveConfig(ModelDefinition model) => PipelineConfigs.Effective(
        model,
        [new ModelTensorConfig { Name = "text_input", DataType = "TYPE_STRING", Dims = [1] }],
        [new ModelTensorConfig { Name = "text_output", DataType = "TYPE_STRING", Dims = [-1] }]);

    [LoggerMessage(EventId = EventIds.GenerationInstanceLoaded, EventName = nameof(EventIds.GenerationInstanceLoaded), Level = LogLevel.Information,
        Message = "Text generation model {ModelName} version {ModelVersion}: {LayerCount} layers, up to {MaxSequenceTokens} tokens a sequence, KV pool {KvCacheBytes} bytes")]
    private static partial void LogLoaded(ILogger logger, string modelName, string modelVersion, int layerCount, int maxSequenceTokens, long kvCacheBytes);
}
