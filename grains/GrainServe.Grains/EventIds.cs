namespace GrainServe;

/// <summary>
/// Event ids of the Grains assembly's log messages, one range per component so that ids never collide.
/// </summary>
internal static class EventIds
{
    // 1000-1099: model repository and model grains.
    public const int BrokenModel = 1000;
    public const int ModelVersionLoaded = 1001;
    public const int ModelVersionUnavailable = 1002;
    public const int InstanceLost = 1003;
    public const int StartupLoadFailed = 1004;
    public const int ModelUnloaded = 1005;
    public const int ScaledOut = 1006;
    public const int TrafficSet = 1007;
    public const int CanaryRolledBack = 1008;
    public const int CanaryPromoted = 1009;
    public const int EvictionVetoed = 1010;

    // 1020-1039: autoscaling of model versions.
    public const int ScaledUp = 1020;
    public const int ScaledDown = 1021;
    public const int ScaleUpRefused = 1022;
    public const int ColdStarted = 1023;
    public const int ColdStartFailed = 1024;

    // 1100-1199: devices and GPU grains.
    public const int DevicesDiscovered = 1100;
    public const int NvmlUnavailable = 1101;
    public const int CudaUnavailable = 1102;
    public const int InstanceLoaded = 1103;
    public const int InstanceRefused = 1104;
    public const int InstanceUnloaded = 1105;
    public const int DeviceRegistrationFailed = 1106;
    public const int Draining = 1107;
    public const int DrainIncomplete = 1108;
    public const int InstanceEvicted = 1109;
    public const int InstanceWarmedUp = 1110;

    // 1200-1299: batching.
    public const int BatchFailed = 1200;

    // 1300-1399: generation.
    public const int GenerationInstanceLoaded = 1300;
    public const int GenerationLost = 1301;

    // 1400-1499: speech.
    public const int WhisperInstanceLoaded = 1400;

    // 1410-1449: Whisper word timestamps and search.
    public const int WhisperWordTimestampsUnavailable = 1410;
    public const int WhisperDecodingDefaults = 1411;

    // 1550-1599: XTTS-style text to speech.
    public const int XttsInstanceLoaded = 1550;

    // 1500-1549: Piper voices.
    public const int PiperInstanceLoaded = 1500;
    public const int PiperPhonemesMissing = 1501;
}
