using System.Diagnostics;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>espeak-ng through P/Invoke against espeak-ng's own command line, which CI installs (tools/install-audio-tools.sh).</summary>
public sealed class EspeakTests
{
    [Theory]
    [InlineData("Hello world. How are you today?")]
    [InlineData("The quick brown fox jumps over the lazy dog; it was not amused, said the dog.")]
    [InlineData("Dr. Smith paid $5.50 for 3 apples, didn't he?")]
    public void Clauses_AreWhatTheEspeakNgCommandLineWrites(string text)
    {
        var expected = CommandLine(text);

        var clauses = Espeak.Clauses(text, "en-us");

        Assert.Equal(expected, clauses.Select(c => c.Phonemes).Where(p => p.Length > 0));
    }

    [Fact]
    public void Clauses_CarryThePunctuationThatEndedThem_AndNotAMarkInsideAWord()
    {
        var clauses = Espeak.Clauses("Hello, world! It costs 5.50 dollars: cheap; right? Yes", "en-us");

        Assert.Equal([',', '!', ':', ';', '?', null], clauses.Select(c => c.Terminator));
    }

    [Fact]
    public void Check_OfAVoiceEspeakLacks_SaysSo()
    {
        Assert.Null(Espeak.Check("en-us"));
        Assert.Contains("no voice 'xx-nowhere'", Espeak.Check("xx-nowhere"));
        Assert.Null(Espeak.Check("en-us"));
    }

    // espeak-ng -q --ipa writes one line per clause, each starting with a space.
    private static string[] CommandLine(string text)
    {
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-q", "--ipa", "-v", "en-us", text })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }
}
