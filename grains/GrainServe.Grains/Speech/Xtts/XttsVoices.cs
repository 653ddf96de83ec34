using System.Collections.Concurrent;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The voices one loaded model speaks in: its built-in voice, under <see cref="DefaultVoice"/> and every OpenAI voice
/// name (so <c>voice: "alloy"</c> works with nothing registered), and the registered voices this silo has used, cached.
/// Thread-safe.
/// </summary>
internal sealed class XttsVoices(XttsVoice builtIn)
{
    /// <summary>The built-in voice's own name.</summary>
    public const string DefaultVoice = "default";

    /// <summary>OpenAI's speech voices, each the built-in voice here.</summary>
    public static IReadOnlyList<string> OpenAiVoices { get; } =
        ["alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage", "shimmer", "verse"];

    private readonly ConcurrentDictionary<string, XttsVoice> _registered = new(StringComparer.Ordinal);

    /// <summary>The built-in voice.</summary>
    public XttsVoice BuiltIn { get; } = builtIn;

    /// <summary>Whether <paramref name="name"/> is the built-in voice under one of its names.</summary>
    public static bool IsBuiltIn(string name) => name == DefaultVoice || OpenAiVoices.Contains(name);

    /// <summary>The voice of <paramref name="name"/> (null: the built-in one), or null when this silo does not know it.</summary>
    public XttsVoice? Find(string? name) =>
        name is null || IsBuiltIn(name) ? BuiltIn : _registered.GetValueOrDefault(name);

    /// <summary>Caches a registered voice.</summary>
    public void Add(string name, XttsVoice voice) => _registered[name] = voice;

    /// <summary>Drops a registered voice from the cache.</summary>
    public void Remove(string name) => _registered.TryRemove(name, out _);
}
