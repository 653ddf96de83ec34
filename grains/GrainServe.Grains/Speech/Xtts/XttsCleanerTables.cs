namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's per-language abbreviation and symbol tables (<c>_abbreviations</c>, <c>_symbols_multilingual</c> in Coqui's
/// <c>TTS/tts/layers/xtts/tokenizer.py</c>), copied as data, in XTTS's order (the order matters: <c>mrs</c> before
/// <c>mr</c>, each replacement sees the text the earlier ones left). Keyed by the vocabulary's language token name.
/// </summary>
internal static class XttsCleanerTables
{
    /// <summary>
    /// Abbreviations, matched as <c>\b&lt;abbreviation&gt;\.</c> case-insensitively; Russian's are matched as
    /// <c>\b&lt;abbreviation&gt;\b</c>, without a dot (<see cref="UndottedAbbreviations"/>), as XTTS compiles them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Abbreviation, string Expansion)[]> Abbreviations =
        new Dictionary<string, (string, string)[]>(StringComparer.Ordinal)
        {
            ["en"] =
            [
                ("mrs", "misess"), ("mr", "mister"), ("dr", "doctor"), ("st", "saint"), ("co", "company"), ("jr", "junior"),
                ("maj", "major"), ("gen", "general"), ("drs", "doctors"), ("rev", "reverend"), ("lt", "lieutenant"),
                ("hon", "honorable"), ("sgt", "sergeant"), ("capt", "captain"), ("esq", "esquire"), ("ltd", "limited"),
                ("col", "colonel"), ("ft", "fort"),
            ],
            ["es"] =
            [
                ("sra", "señora"), ("sr", "señor"), ("dr", "doctor"), ("dra", "doctora"), ("st", "santo"), ("co", "compañía"),
                ("jr", "junior"), ("ltd", "limitada"),
            ],
            ["fr"] =
            [
                ("mme", "madame"), ("mr", "monsieur"), ("dr", "docteur"), ("st", "saint"), ("co", "compagnie"), ("jr", "junior"),
                ("ltd", "limitée"),
            ],
            ["de"] = [("fr", "frau"), ("dr", "doktor"), ("st", "sankt"), ("co", "firma"), ("jr", "junior")],
            ["pt"] =
            [
                ("sra", "senhora"), ("sr", "senhor"), ("dr", "doutor"), ("dra", "doutora"), ("st", "santo"), ("co", "companhia"),
                ("jr", "júnior"), ("ltd", "limitada"),
            ],
            ["it"] = [("sig", "signore"), ("dr", "dottore"), ("st", "santo"), ("co", "compagnia"), ("jr", "junior"), ("ltd", "limitata")],
            ["pl"] = [("p", "pani"), ("m", "pan"), ("dr", "doktor"), ("sw", "święty"), ("jr", "junior")],
            ["cs"] = [("dr", "doktor"), ("ing", "inženýr"), ("p", "pan")],
            ["ru"] = [("г-жа", "госпожа"), ("г-н", "господин"), ("д-р", "доктор")],
            ["nl"] = [("dhr", "de heer"), ("mevr", "mevrouw"), ("dr", "dokter"), ("jhr", "jonkheer")],
            ["tr"] = [("b", "bay"), ("byk", "büyük"), ("dr", "doktor")],
            ["hu"] = [("dr", "doktor"), ("b", "bácsi"), ("nőv", "nővér")],
        };

    /// <summary>The languages whose abbreviations XTTS matches between word boundaries rather than before a dot.</summary>
    public static readonly IReadOnlySet<string> UndottedAbbreviations = new HashSet<string>(StringComparer.Ordinal) { "ru" };

    /// <summary>Symbols, each replaced by its words with a space either side (double spaces then collapsed).</summary>
    public static readonly IReadOnlyDictionary<string, (string Symbol, string Words)[]> Symbols =
        new Dictionary<string, (string, string)[]>(StringComparer.Ordinal)
        {
            ["en"] = Table("and", "at", "percent", "hash", "dollar", "pound", "degree"),
            ["es"] = Table("y", "arroba", "por ciento", "numeral", "dolar", "libra", "grados"),
            ["fr"] = Table("et", "arobase", "pour cent", "dièse", "dollar", "livre", "degrés"),
            ["de"] = Table("und", "at", "prozent", "raute", "dollar", "pfund", "grad"),
            ["pt"] = Table("e", "arroba", "por cento", "cardinal", "dólar", "libra", "graus"),
            ["it"] = Table("e", "chiocciola", "per cento", "cancelletto", "dollaro", "sterlina", "gradi"),
            ["pl"] = Table("i", "małpa", "procent", "krzyżyk", "dolar", "funt", "stopnie"),
            ["ar"] = Table("و", "على", "في المئة", "رقم", "دولار", "جنيه", "درجة"),
            ["zh-cn"] = Table("和", "在", "百分之", "号", "美元", "英镑", "度"),
            ["cs"] = Table("a", "na", "procento", "křížek", "dolar", "libra", "stupně"),
            ["ru"] = Table("и", "собака", "процентов", "номер", "доллар", "фунт", "градус"),
            ["nl"] = Table("en", "bij", "procent", "hekje", "dollar", "pond", "graden"),
            ["tr"] = Table("ve", "at", "yüzde", "diyez", "dolar", "sterlin", "derece"),
            ["hu"] = Table("és", "kukac", "százalék", "kettőskereszt", "dollár", "font", "fok"),
            ["ko"] = Table("그리고", "에", "퍼센트", "번호", "달러", "파운드", "도"),
        };

    // Every language's symbol table has the same seven symbols in the same order; only the words differ.
    private static (string Symbol, string Words)[] Table(string and, string at, string percent, string hash, string dollar, string pound, string degree) =>
    [
        ("&", $" {and} "), ("@", $" {at} "), ("%", $" {percent} "), ("#", $" {hash} "), ("$", $" {dollar} "), ("£", $" {pound} "),
        ("°", $" {degree} "),
    ];
}
