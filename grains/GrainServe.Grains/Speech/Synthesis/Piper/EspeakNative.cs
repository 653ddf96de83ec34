using System.Runtime.InteropServices;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// The few entry points of espeak-ng's C API (<c>speak_lib.h</c>) that piper-phonemize calls, bound to Debian's
/// <c>libespeak-ng.so.1</c>. The library keeps its state in globals: callers hold <see cref="Espeak"/>'s lock.
/// </summary>
internal static unsafe partial class EspeakNative
{
    /// <summary>The shared library's name as Debian's <c>libespeak-ng1</c> package installs it.</summary>
    public const string Library = "libespeak-ng.so.1";

    /// <summary><c>AUDIO_OUTPUT_SYNCHRONOUS</c>: no audio device, no thread of its own.</summary>
    public const int AudioOutputSynchronous = 2;

    /// <summary><c>espeakINITIALIZE_DONT_EXIT</c>: without it a missing data folder calls <c>exit(1)</c> in our process.</summary>
    public const int InitializeDontExit = 0x8000;

    /// <summary><c>espeakCHARS_UTF8</c>.</summary>
    public const int CharsUtf8 = 1;

    /// <summary>Phoneme mode bit 1: IPA as UTF-8, what piper-phonemize asks for.</summary>
    public const int PhonemesIpa = 0x02;

    /// <summary>Returns the sample rate, or a negative <c>espeak_ERROR</c>.</summary>
    [LibraryImport(Library, EntryPoint = "espeak_Initialize")]
    public static partial int Initialize(int output, int bufferLength, byte* path, int options);

    /// <summary>Returns 0 (<c>EE_OK</c>) when the voice exists.</summary>
    [LibraryImport(Library, EntryPoint = "espeak_SetVoiceByName", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetVoiceByName(string name);

    /// <summary>
    /// Phonemes of the next clause of <paramref name="text"/> (a static buffer, valid until the next call), advancing
    /// <paramref name="text"/> past it, to null after the last.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "espeak_TextToPhonemes")]
    public static partial byte* TextToPhonemes(byte** text, int textMode, int phonemeMode);
}
