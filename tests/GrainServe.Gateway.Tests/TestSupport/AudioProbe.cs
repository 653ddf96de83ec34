using System.Diagnostics;
using System.Text.Json;

namespace GrainServe.TestSupport;

/// <summary>
/// Reads audio back with independent decoders, Debian's ffprobe and ffmpeg (CI installs them with
/// tools/install-audio-tools.sh): a missing tool fails the test rather than skipping it.
/// </summary>
internal static class AudioProbe
{
    /// <summary>ffprobe's view of the file's container and first audio stream.</summary>
    public static (string Container, string Codec, int SampleRate, int Channels) Probe(byte[] file)
    {
        using var json = JsonDocument.Parse(Run("ffprobe", file, "-v", "error", "-show_entries", "format=format_name:stream=codec_name,sample_rate,channels", "-of", "json", "-i", "{file}").Text);
        var stream = json.RootElement.GetProperty("streams")[0];
        return (
            json.RootElement.GetProperty("format").GetProperty("format_name").GetString()!,
            stream.GetProperty("codec_name").GetString()!,
            int.Parse(stream.GetProperty("sample_rate").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            stream.GetProperty("channels").GetInt32());
    }

    /// <summary>The seconds of audio ffmpeg decodes from the file, counted sample by sample at its own rate.</summary>
    public static double DecodedSeconds(byte[] file, int sampleRate)
    {
        var pcm = Run("ffmpeg", file, "-v", "error", "-i", "{file}", "-f", "s16le", "-ac", "1", "-ar", sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "pipe:1").Bytes;
        return pcm.Length / 2.0 / sampleRate;
    }

    private static (string Text, byte[] Bytes) Run(string tool, byte[] file, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"grainserve-probe-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, file);
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument == "{file}" ? path : argument);
            }

            using var process = Process.Start(start)!;
            using var output = new MemoryStream();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{tool} failed: {stderr.Result}");
            return (System.Text.Encoding.UTF8.GetString(output.ToArray()), output.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
