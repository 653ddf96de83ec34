using System.Diagnostics;

namespace GrainServe.TestSupport;

/// <summary>
/// The command-line audio tools some speech tests run (ffmpeg, espeak-ng, sox; tools/install-audio-tools.sh installs
/// them). Without one a test skips, saying so on the console, except under CI (the CI variable set), where a missing
/// tool must not pass silently: there the test fails.
/// </summary>
internal static class AudioTools
{
    /// <summary>Whether <paramref name="tool"/> is on PATH; false (after a console message) or a failure under CI when not.</summary>
    public static bool Available(string tool, string test)
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
        if (onPath)
        {
            return true;
        }

        var why = $"{test} needs {tool}, which is not on PATH; install it with tools/install-audio-tools.sh";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(why + " (CI is set, so a missing tool fails rather than skips)");
        }

        Console.WriteLine($"SKIPPED {why}");
        return false;
    }

    /// <summary>Runs <paramref name="tool"/> and fails the test, with its stderr, if it exits non-zero.</summary>
    public static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
    }
}
