using System.Collections.Concurrent;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The voices one loaded model speaks in: its built-in voice, under <see cref="DefaultVoice"/> and every OpenAI voice
/// name (so <c>voice: "alloy"</c> works with nothing registered), and the registered voices this silo has used, cached
/// by registration id: each use asks the voice's own <see cref="IVoiceGrain"/> for the current id (a small call, which
/// never touches the model's index or any other voice) and fetches the bytes only when the name was registered anew.
/// Thread-safe.
/// </summary>
internal sealed class XttsVoices(XttsVoice builtIn, string model, IGrainFactory? grains)
{
    /// <summary>The built-in voice's own name.</summary>
    public const string DefaultVoice = "default";

    /// <summary>OpenAI's speech voices, each the built-in voice here.</summary>
    public static IReadOnlyList<string> OpenAiVoices { get; } =
        ["alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage", "shimmer", "verse"];

    private readonly ConcurrentDictionary<string, (Guid Id, XttsVoice Voice)> _registered = new(StringComparer.Ordinal);

    /// <summary>The built-in voice.</summary>
    public XttsVoice BuiltIn { get; } = builtIn;

    /// <summary>Whether <paramref name="name"/> is the built-in voice under one of its names.</summary>
    public static bool IsBuiltIn(string name) => name == DefaultVoice || OpenAiVoices.Contains(name);

    /// <summary>Whether a voice of <paramref name="name"/> may exist: built in, cached, or possibly registered (there is a registry).</summary>
    public bool MayExist(string? name) => name is null || IsBuiltIn(name) || grains is not null || _registered.ContainsKey(name);

    /// <summary>The voice of <paramref name="name"/> (null: the built-in one), or null when there is none.</summary>
    public async ValueTask<XttsVoice?> FindAsync(string? name)
    {
        if (name is null || IsBuiltIn(name))
        {
            return BuiltIn;
        }

        if (grains is null)
        {
            return _registered.TryGetValue(name, out var local) ? local.Voice : null;
        }

        Guid? cachedId = _registered.TryGetValue(name, out var cached) ? cached.Id : null;
        var entry = await grains.GetGrain<IVoiceGrain>(IVoiceGrain.Key(model, name)).Get(cachedId).ConfigureAwait(false);
        if (entry is null)
        {
            _registered.TryRemove(name, out _);
            return null;
        }

        if (entry.Id == cachedId)
        {
            return cached.Voice;
        }

        var voice = XttsVoice.FromBytes(entry.Voice);
        _registered[name] = (entry.Id, voice);
        return voice;
    }

    /// <summary>Caches a voice under <paramref name="name"/> with no registry behind it (tests, a silo without one).</summary>
    public void Add(string name, XttsVoice voice) => _registered[name] = (Guid.NewGuid(), voice);
}
