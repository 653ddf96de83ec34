namespace GrainServe.Speech.Xtts;

/// <summary>
/// Korean as XTTS romanizes it: <c>hangul_romanize</c>'s academic rule. The cases are that package's own
/// <c>tests/academic_test.py</c>; "가", "힣" and "퍼센트" were also checked by hand from the syllable arithmetic and its
/// letter tables.
/// </summary>
public sealed class XttsKoreanRomanizerTests
{
    [Theory]
    [InlineData("가", "ga")]
    [InlineData("힣", "hih")]
    [InlineData("밝", "balg")]
    [InlineData("밯망희", "bahmanghui")]
    [InlineData("안녕하세요", "annyeonghase-yo")]
    [InlineData("집", "jib")]
    [InlineData("짚", "jip")]
    [InlineData("밖", "bakk")]
    [InlineData("값", "gabs")]
    [InlineData("붓꽃", "buskkoch")]
    [InlineData("먹는", "meogneun")]
    [InlineData("독립", "doglib")]
    [InlineData("문리", "munli")]
    [InlineData("물엿", "mul-yeos")]
    [InlineData("굳이", "gud-i")]
    [InlineData("좋다", "johda")]
    [InlineData("조랑말", "jolangmal")]
    [InlineData("없었습니다", "eobs-eoss-seubnida")]
    [InlineData("퍼센트", "peosenteu")]
    [InlineData("띄고 문장부호! 있고!? @#())$#@()", "ttuigo munjangbuho! issgo!? @#())$#@()")]
    public void Romanize_Hangul_IsHangulRomanizesAcademicRule(string text, string expected) => Assert.Equal(expected, XttsKoreanRomanizer.Romanize(text));

    [Fact]
    public void Romanize_SilentInitialAfterANonSyllable_TakesNoHyphen()
    {
        // 이 starts with the silent ㅇ: a hyphen only after another syllable ("굳이"), not after a space or a digit.
        Assert.Equal("i i 1i", XttsKoreanRomanizer.Romanize("이 이 1이"));
    }

    [Fact]
    public void Clean_Korean_RomanizesAfterItsSymbolsAreWrittenOut()
    {
        // "%" is Korean's 퍼센트 first, then romanized; Korean keeps its digits (no num2words here).
        Assert.Equal("14 peosenteu hal-in", XttsTextCleaner.Clean("14% 할인", "ko"));
    }
}
