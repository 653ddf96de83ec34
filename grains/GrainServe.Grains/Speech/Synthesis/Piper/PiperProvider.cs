using System.Globalization;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// Serves <c>model_kind: tts_piper</c>: a Piper voice as Piper publishes it, the VITS export (the version's model file,
/// <c>model.onnx</c> unless <c>default_model_filename</c> names another) and its config beside it (the file's name plus
/// <c>.json</c>). Text in, audio at the voice's rate out, sentence by sentence. An instance is charged its ONNX file;
/// espeak-ng's dictionaries are shared by the process.
/// </summary>
internal sealed partial class PiperProvider(OnnxSessionFactory sessions, TimeProvider time, ILogger<PiperProvider> logger) : IModelRunnerProvider
{
    /// <summary>The config.json parameter that caps the characters of one request.</summary>
    public const string MaxInputCharsParameter = "max_input_chars";

    public IReadOnlyList<string> Kinds { get; } = [ModelKinds.TtsPiper];

    public long EstimateBytes(ModelDefinition model, long version) => model.ModelBytes(version);

    public IInstanceScheduler Create(ModelDefinition model, long version, LocalDevice device)
    {
        var path = model.ModelPath(version);
        var voice = PiperVoiceConfig.Load(path + ".json", model.Name);
        var maxCharacters = MaxCharacters(model);
        if (Espeak.Check(voice.EspeakVoice) is { } espeakError)
        {
            throw new ModelLoadException($"model '{model.Name}': {espeakError}");
        }

        var session = sessions.Create(path, model.Name, version, device);
        var (inputs, error) = PiperModelInputs.Read(session, voice);
        if (inputs is null)
        {
            session.Dispose();
            throw new ModelLoadException($"model '{model.Name}': {Path.GetFileName(path)}: {error}");
        }

        var versionText = version.ToString(CultureInfo.InvariantCulture);
        LogLoaded(logger, model.Name, versionText, voice.EspeakVoice, voice.SampleRate, voice.NumSpeakers);
        var synthesizer = new PiperSynthesizer(session, voice, inputs, maxCharacters, model.Name, logger);
        return new SynthesisInstance(EffectiveConfig(model), versionText, synthesizer, time);
    }

    private static int MaxCharacters(ModelDefinition model)
    {
        if (model.Config.Parameters?.TryGetValue(MaxInputCharsParameter, out var value) != true || string.IsNullOrEmpty(value!.StringValue))
        {
            return SynthesisRequest.DefaultMaxCharacters;
        }

        return int.TryParse(value.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0
            ? max
            : throw new ModelLoadException($"model '{model.Name}': parameter {MaxInputCharsParameter} is '{value.StringValue}'; use a whole number above 0");
    }

    // What the V2 metadata routes show: the text in, the samples and their rate out, no batch dimension.
    private static ModelConfig EffectiveConfig(ModelDefinition model) => PipelineConfigs.Effective(
        model,
        [new ModelTensorConfig { Name = "text", DataType = "TYPE_STRING", Dims = [1] }],
        [
            new ModelTensorConfig { Name = SynthesisInstance.AudioOutput, DataType = "TYPE_FP32", Dims = [-1] },
            new ModelTensorConfig { Name = SynthesisInstance.AudioInt16Output, DataType = "TYPE_INT16", Dims = [-1] },
            new ModelTensorConfig { Name = SynthesisInstance.SampleRateOutput, DataType = "TYPE_INT32", Dims = [1] },
        ]);

    [LoggerMessage(EventId = EventIds.PiperInstanceLoaded, EventName = nameof(EventIds.PiperInstanceLoaded), Level = LogLevel.Information,
        Message = "Loaded Piper voice {Model} version {Version}: espeak-ng voice {EspeakVoice}, {SampleRate} Hz, {Speakers} speakers")]
    private static partial void LogLoaded(ILogger logger, string model, string version, string espeakVoice, int sampleRate, int speakers);
}
