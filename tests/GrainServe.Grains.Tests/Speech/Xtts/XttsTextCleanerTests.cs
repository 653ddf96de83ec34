namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>multilingual_cleaners</c> per language: the abbreviation and symbol tables of Coqui's
/// <c>TTS/tts/layers/xtts/tokenizer.py</c>. Most sentences are that file's own test cases, lower-cased as the cleaner
/// lower-cases first.
/// </summary>
public sealed class XttsTextCleanerTests
{
    [Theory]
    [InlineData("Hola Sr. Garcia.", "es", "hola señor garcia.")]
    [InlineData("La Dra. Martinez y la Sra. López", "es", "la doctora martinez y la señora lópez")]
    [InlineData("Te veo @ la fiesta", "es", "te veo arroba la fiesta")]
    [InlineData("Mme. Moreau est absente aujourd'hui.", "fr", "madame moreau est absente aujourd'hui.")]
    [InlineData("Bonjour Mr. Dupond, rock & roll", "fr", "bonjour monsieur dupond, rock et roll")]
    [InlineData("Frau Dr. Müller ist sehr klug.", "de", "frau doktor müller ist sehr klug.")]
    [InlineData("Fr. Schmidt & Co. GmbH", "de", "frau schmidt und firma gmbh")]
    [InlineData("O meu email é ana&joao@gmail.com", "pt", "o meu email é ana e joao arroba gmail.com")]
    [InlineData("Dra. Costa, você está disponível?", "pt", "doutora costa, você está disponível?")]
    [InlineData("Buongiorno, Sig. Rossi.", "it", "buongiorno, signore rossi.")]
    [InlineData("linguaggio di programmazione C#", "it", "linguaggio di programmazione c cancelletto")]
    [InlineData("Dzień dobry, P. Kowalski & M. Nowak", "pl", "dzień dobry, pani kowalski i pan nowak")]
    [InlineData("Dr. Vojtěch, těším se na tebe @ party", "cs", "doktor vojtěch, těším se na tebe na party")]
    [InlineData("Здравствуйте Г-н Иванов, я буду @ дома", "ru", "здравствуйте господин иванов, я буду собака дома")]
    [InlineData("Dhr. Jansen & Mevr. de Vries", "nl", "de heer jansen en mevrouw de vries")]
    [InlineData("Merhaba B. Yılmaz, Dr. Ayşe burada.", "tr", "merhaba bay yılmaz, doktor ayşe burada.")]
    [InlineData("Dr. Szabó itt van #1", "hu", "doktor szabó itt van kettőskereszt 1")]
    [InlineData("لدي 14% في البطارية", "ar", "لدي 14 في المئة في البطارية")]
    [InlineData("我的电量为 14%", "zh-cn", "我的电量为 14 百分之")]
    public void Clean_LanguageWithTables_WritesItsAbbreviationsAndSymbolsOut(string text, string language, string expected) =>
        Assert.Equal(expected, XttsTextCleaner.Clean(text, language));

    [Theory]
    [InlineData("Dr. Smith & Co. 5%", "es", "doctor smith y compañía cinco por ciento")]
    [InlineData("Dr. Smith & Co. 5%", "ja", "dr. smith & co. 5%")]
    public void Clean_SameText_FollowsTheLanguagesTable(string text, string language, string expected) =>
        Assert.Equal(expected, XttsTextCleaner.Clean(text, language));

    // Numbers first, then abbreviations, then symbols, as multilingual_cleaners runs them.
    [Theory]
    [InlineData("La Sra. Pérez pagó 1.250,50€ por el 2º puesto & ganó 15%", "es",
        "la señora pérez pagó mil doscientos cincuenta euros con cincuenta céntimos por el segundo puesto y ganó quince por ciento")]
    [InlineData("Mme. Dupont a payé 1.250,50€ pour la 2ème place & 15%", "fr",
        "madame dupont a payé mille deux cent cinquante euros et cinquante centimes pour la deuxième place et quinze pour cent")]
    [InlineData("Fr. Dr. Weber zahlte 1.299,99€ & 19% für den 1. Platz", "de",
        "frau doktor weber zahlte eintausendzweihundertneunundneunzig Euro und neunundneunzig Cent und neunzehn prozent für den erste platz")]
    [InlineData("A Dra. Silva pagou 1.234,56€ pelo 3º lugar & 10%", "pt",
        "a doutora silva pagou mil duzentos e trinta e quatro euros e cinquenta e seis cêntimos pelo terceiro lugar e dez por cento")]
    [InlineData("Il Dr. Rossi ha pagato 1.500€ per il 3º posto & il 20%", "it",
        "il dottore rossi ha pagato millecinquecento euro per il terzo posto e il venti per cento")]
    [InlineData("Mr. Lee paid $1,500 & 20%", "en", "mister lee paid one thousand, five hundred dollars and twenty percent")]
    public void Clean_Sentence_WritesNumbersAbbreviationsAndSymbolsOut(string text, string language, string expected) =>
        Assert.Equal(expected, XttsTextCleaner.Clean(text, language));

    [Fact]
    public void Clean_Abbreviation_NeedsItsDotAndAWordStart()
    {
        // \bdr\. : "dra." is Spanish's doctora (its own entry), "ndr." starts mid-word, "dr" without its dot stays.
        Assert.Equal("doctora ndr. dr", XttsTextCleaner.Clean("Dra. ndr. dr", "es"));
    }
}
