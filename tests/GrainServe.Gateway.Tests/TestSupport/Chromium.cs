namespace GrainServe.TestSupport;

/// <summary>
/// Debian's Chromium, which the browser tests drive through Playwright (tools/install-browser.sh installs it; Playwright's
/// own browser download is never used). Without it a test skips, saying so on the console, except under CI (the CI
/// variable set), where a missing browser must not pass silently: there the test fails.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Whether the browser is installed; false (after a console message) or a failure under CI when not.</summary>
    public static bool Available(string test)
    {
        if (File.Exists(ExecutablePath))
        {
            return true;
        }

        var why = $"{test} needs {ExecutablePath}, which is not installed; install it with tools/install-browser.sh";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(why + " (CI is set, so a missing browser fails rather than skips)");
        }

        Console.WriteLine($"SKIPPED {why}");
        return false;
    }
}
