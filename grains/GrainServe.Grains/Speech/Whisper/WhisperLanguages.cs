using System.Collections.ObjectModel;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// The languages Whisper knows, as openai/whisper's <c>tokenizer.py</c> lists them: <c>LANGUAGES</c> (code → English
/// name, in token order) and <c>TO_LANGUAGE_CODE</c> (every name and a few aliases → code). A model has a language token
/// for each of the first 99 codes, or all 100 from large-v3 on (<c>yue</c>, Cantonese, is the 100th).
/// </summary>
public static class WhisperLanguages
{
    /// <summary>How many languages the table holds: 100, the last (<c>yue</c>) only in large-v3 and later.</summary>
    public const int Count = 100;

    // Order is the token order: the language token of Codes[i] is <|startoftranscript|> + 1 + i.
    private static readonly (string Code, string Name)[] Table =
    [
        ("en", "english"), ("zh", "chinese"), ("de", "german"), ("es", "spanish"),
        ("ru", "russian"), ("ko", "korean"), ("fr", "french"), ("ja", "japanese"),
        ("pt", "portuguese"), ("tr", "turkish"), ("pl", "polish"), ("ca", "catalan"),
        ("nl", "dutch"), ("ar", "arabic"), ("sv", "swedish"), ("it", "italian"),
        ("id", "indonesian"), ("hi", "hindi"), ("fi", "finnish"), ("vi", "vietnamese"),
        ("he", "hebrew"), ("uk", "ukrainian"), ("el", "greek"), ("ms", "malay"),
        ("cs", "czech"), ("ro", "romanian"), ("da", "danish"), ("hu", "hungarian"),
        ("ta", "tamil"), ("no", "norwegian"), ("th", "thai"), ("ur", "urdu"),
        ("hr", "croatian"), ("bg", "bulgarian"), ("lt", "lithuanian"), ("la", "latin"),
        ("mi", "maori"), ("ml", "malayalam"), ("cy", "welsh"), ("sk", "slovak"),
        ("te", "telugu"), ("fa", "persian"), ("lv", "latvian"), ("bn", "bengali"),
        ("sr", "serbian"), ("az", "azerbaijani"), ("sl", "slovenian"), ("kn", "kannada"),
        ("et", "estonian"), ("mk", "macedonian"), ("br", "breton"), ("eu", "basque"),
        ("is", "icelandic"), ("hy", "armenian"), ("ne", "nepali"), ("mn", "mongolian"),
        ("bs", "bosnian"), ("kk", "kazakh"), ("sq", "albanian"), ("sw", "swahili"),
        ("gl", "galician"), ("mr", "marathi"), ("pa", "punjabi"), ("si", "sinhala"),
        ("km", "khmer"), ("sn", "shona"), ("yo", "yoruba"), ("so", "somali"),
        ("af", "afrikaans"), ("oc", "occitan"), ("ka", "georgian"), ("be", "belarusian"),
        ("tg", "tajik"), ("sd", "sindhi"), ("gu", "gujarati"), ("am", "amharic"),
        ("yi", "yiddish"), ("lo", "lao"), ("uz", "uzbek"), ("fo", "faroese"),
        ("ht", "haitian creole"), ("ps", "pashto"), ("tk", "turkmen"), ("nn", "nynorsk"),
        ("mt", "maltese"), ("sa", "sanskrit"), ("lb", "luxembourgish"), ("my", "myanmar"),
        ("bo", "tibetan"), ("tl", "tagalog"), ("mg", "malagasy"), ("as", "assamese"),
        ("tt", "tatar"), ("haw", "hawaiian"), ("ln", "lingala"), ("ha", "hausa"),
        ("ba", "bashkir"), ("jw", "javanese"), ("su", "sundanese"), ("yue", "cantonese"),
    ];

    // tokenizer.py's aliases, added after the names in TO_LANGUAGE_CODE.
    private static readonly (string Alias, string Code)[] Aliases =
    [
        ("burmese", "my"), ("valencian", "ca"), ("flemish", "nl"), ("haitian", "ht"),
        ("letzeburgesch", "lb"), ("pushto", "ps"), ("panjabi", "pa"), ("moldavian", "ro"),
        ("moldovan", "ro"), ("sinhalese", "si"), ("castilian", "es"), ("mandarin", "zh"),
    ];

    /// <summary>The language codes in token order (<c>en</c>, <c>zh</c>, <c>de</c>, … <c>yue</c>): ISO 639-1 where one exists.</summary>
    public static IReadOnlyList<string> Codes { get; } = Array.AsReadOnly(Table.Select(l => l.Code).ToArray());

    /// <summary>Each code's lower-case English name (<c>en</c> → <c>english</c>): <c>LANGUAGES</c>.</summary>
    public static IReadOnlyDictionary<string, string> Names { get; } =
        new ReadOnlyDictionary<string, string>(Table.ToDictionary(l => l.Code, l => l.Name, StringComparer.Ordinal));

    /// <summary>
    /// Code by lower-case name or alias (<c>english</c> → <c>en</c>, <c>castilian</c> → <c>es</c>):
    /// <c>TO_LANGUAGE_CODE</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> CodesByName { get; } = new ReadOnlyDictionary<string, string>(
        Table.Select(l => KeyValuePair.Create(l.Name, l.Code))
            .Concat(Aliases.Select(a => KeyValuePair.Create(a.Alias, a.Code)))
            .ToDictionary(StringComparer.Ordinal));

    /// <summary>
    /// The code of <paramref name="language"/>, given as a code (<c>de</c>), a name (<c>German</c>) or an alias
    /// (<c>Castilian</c>) in any case, as <c>get_tokenizer</c> accepts it; null when Whisper does not know it.
    /// </summary>
    public static string? ToCode(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var lower = language.ToLowerInvariant();
        return Names.ContainsKey(lower) ? lower : CodesByName.GetValueOrDefault(lower);
    }

    /// <summary>
    /// The first <paramref name="count"/> codes: the languages of a model with that many language tokens (99 before
    /// large-v3, 100 from it on).
    /// </summary>
    public static IReadOnlyList<string> First(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        return count == Count ? Codes : Array.AsReadOnly(Codes.Take(count).ToArray());
    }
}
