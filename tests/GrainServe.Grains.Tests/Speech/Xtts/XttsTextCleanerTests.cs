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
    [InlineData("Dr. Smith & Co. 5%", "es", "doctor smith y compañía 5 por ciento")]
    [InlineData("Dr. Smith & Co. 5%", "ja", "dr. smith & co. 5%")]
    public void Clean_SameText_FollowsTheLanguagesTable(string text, string language, string expected) =>
        Assert.Equal(expected, XttsTextCleaner.Clean(text, language));

    [Fact]
    public void Clean_Abbreviation_NeedsItsDotAndAWordStart()
    {
        // \bdr\. : "dra." is Spanish's doctora (its own entry), "ndr." starts mid-word, "dr" without its dot stays.
        Assert.Equal("doctora ndr. dr", XttsTextCleaner.Clean("Dra. ndr. dr", "es"));
    }
}
