using GrainServe.Runtime;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

public sealed class WhisperTokenizerLoaderTests
{
    [Theory]
    [InlineData(50257)]
    [InlineData(51863)]
    [InlineData(51867)]
    public void Load_SizeNoWhisperHas_Throws(int vocabularySize)
    {
        var e = Assert.Throws<ModelLoadException>(() => WhisperTokenizer.Load(Path.GetTempPath(), vocabularySize));

        Assert.Contains(vocabularySize.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TokenizerJsonForLargeV3Size_ThrowsOnShiftedIds()
    {
        var folder = SharedData.Folder("whisper-genai-test", nameof(Load_TokenizerJsonForLargeV3Size_ThrowsOnShiftedIds));
        if (folder is null)
        {
            return;
        }

        var e = Assert.Throws<ModelLoadException>(() => WhisperTokenizer.Load(folder, WhisperTestTokenizers.LargeV3));

        // The 100th language is not in the file, whose <|translate|> sits where large-v3 has <|yue|>.
        Assert.Contains("has no token <|yue|>", e.Message, StringComparison.Ordinal);
        Assert.Contains("at 50358", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MultilingualTiktokenForEnglishOnlySize_Throws()
    {
        var shared = SharedData.Folder("whisper", nameof(Load_MultilingualTiktokenForEnglishOnlySize_Throws));
        if (shared is null)
        {
            return;
        }

        // A link, not a copy: the shared data stays read in place.
        var folder = Directory.CreateTempSubdirectory("whisper-multilingual-");
        try
        {
            File.CreateSymbolicLink(Path.Combine(folder.FullName, "multilingual.tiktoken"), Path.Combine(shared, "multilingual.tiktoken"));

            var e = Assert.Throws<ModelLoadException>(() => WhisperTokenizer.Load(folder.FullName, WhisperTestTokenizers.EnglishOnly));

            Assert.Contains("holds 50257 tokens", e.Message, StringComparison.Ordinal);
            Assert.Contains("needs 50256", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_MultilingualEmptyFolder_ThrowsNamingTheFiles()
    {
        var folder = Directory.CreateTempSubdirectory("whisper-empty-");
        try
        {
            var e = Assert.Throws<ModelLoadException>(() => WhisperTokenizer.Load(folder.FullName, WhisperTestTokenizers.Multilingual));

            Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
            Assert.Contains("multilingual.tiktoken", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
