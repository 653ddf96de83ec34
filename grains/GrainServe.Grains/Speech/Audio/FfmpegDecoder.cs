using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GrainServe.Speech.Audio;

/// <summary>
/// Decodes every container but WAV by running ffmpeg as a child process, which resamples and downmixes too, as
/// openai/whisper's <c>load_audio</c> does (it asks for s16le; float32 here keeps the decoder's full precision).
/// </summary>
internal sealed partial class FfmpegDecoder(string ffmpegPath)
{
    // ffmpeg's informational stderr is a few kB; a damaged file can make it warn once per frame, so keep only the start.
    private const int MaxStderrChars = 64 * 1024;

    /// <summary>Decodes <paramref name="file"/>, already detected as <paramref name="format"/>, to 16 kHz mono.</summary>
    public async Task<DecodedAudio> DecodeAsync(ReadOnlyMemory<byte> file, string format, AudioLimits limits, CancellationToken cancellationToken)
    {
        // MP4's index (the moov box) is often at the end, which ffmpeg can only reach by seeking: a pipe cannot.
        var path = format == "m4a" ? Path.Combine(Path.GetTempPath(), $"grainserve-audio-{Guid.NewGuid():N}.m4a") : null;
        try
        {
            if (path is not null)
            {
                await File.WriteAllBytesAsync(path, file, cancellationToken);
            }

            return await RunAsync(path is null ? file : ReadOnlyMemory<byte>.Empty, path ?? "pipe:0", format, limits, cancellationToken);
        }
        finally
        {
            if (path is not null)
            {
                File.Delete(path);
            }
        }
    }

    private async Task<DecodedAudio> RunAsync(ReadOnlyMemory<byte> stdin, string input, string format, AudioLimits limits, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // level+info tags each stderr line with its level, so errors can be told from the stream description.
        // rematrix_maxval 1: to float output swresample mixes stereo down as (L + R) / √2, louder than either channel;
        // normalised, it is (L + R) / 2, the in-process WAV downmix and what Whisper's s16le output gets.
        string[] arguments = ["-hide_banner", "-nostats", "-loglevel", "level+info", "-i", input, "-map", "0:a:0", "-vn",
            "-rematrix_maxval", "1.0", "-f", "f32le", "-ac", "1", "-ar", "16000", "pipe:1"];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception();
        }
        catch (Win32Exception ex)
        {
            throw new AudioFormatException($"decoding {format} audio needs ffmpeg, which is not installed on this server ('{ffmpegPath}' could not be started); send WAV or install ffmpeg", ex);
        }

        using (process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limits.DecodeTimeout);
            // Killing closes ffmpeg's pipes, which ends every read and write below: no I/O call needs the token itself.
            using var kill = deadline.Token.Register(() => Kill(process));
            var maxBytes = (long)Math.Ceiling(limits.MaxDurationSeconds * Resampler.TargetRate) * sizeof(float);
            var errors = ReadStderrAsync(process.StandardError);
            var output = ReadStdoutAsync(process, maxBytes);
            await WriteStdinAsync(process.StandardInput.BaseStream, stdin);
            var (samples, tooLong) = await output;
            await process.WaitForExitAsync(CancellationToken.None);
            var stderr = await errors;

            cancellationToken.ThrowIfCancellationRequested();
            if (tooLong)
            {
                throw new AudioFormatException($"the audio is longer than this server's limit of {Durations.Format(limits.MaxDurationSeconds)}");
            }

            if (deadline.IsCancellationRequested)
            {
                throw new AudioFormatException($"decoding the {format} audio took longer than this server's limit of {limits.DecodeTimeout.TotalSeconds:0.###} s");
            }

            if (process.ExitCode != 0)
            {
                throw new AudioFormatException($"the {format} file could not be decoded: {Errors(stderr)}");
            }

            if (samples.Length == 0)
            {
                throw new AudioFormatException($"the {format} file contains no audio samples");
            }

            var (rate, channels) = SourceStream(stderr);
            return new DecodedAudio(samples, rate, channels, format, (double)samples.Length / Resampler.TargetRate);
        }
    }

    private static async Task WriteStdinAsync(Stream stdin, ReadOnlyMemory<byte> file)
    {
        try
        {
            await stdin.WriteAsync(file);
            await stdin.FlushAsync();
        }
        catch (IOException)
        {
            // ffmpeg stopped reading: it failed on the data (its stderr says why) or was killed.
        }
        finally
        {
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
                // Closing a pipe whose reader is gone flushes into nothing: the same case as above.
            }
        }
    }

    private static async Task<(float[] Samples, bool TooLong)> ReadStdoutAsync(Process process, long maxBytes)
    {
        using var collected = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var stdout = process.StandardOutput.BaseStream;
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            collected.Write(buffer, 0, read);
            if (collected.Length > maxBytes)
            {
                Kill(process);
                return ([], true);
            }
        }

        var bytes = collected.GetBuffer().AsSpan(0, (int)collected.Length);
        return (MemoryMarshal.Cast<byte, float>(bytes).ToArray(), false);
    }

    private static async Task<string> ReadStderrAsync(StreamReader stderr)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await stderr.ReadAsync(buffer)) > 0)
        {
            // Keep draining past the cap: a full stderr pipe would block ffmpeg.
            if (text.Length < MaxStderrChars)
            {
                text.Append(buffer, 0, Math.Min(read, MaxStderrChars - text.Length));
            }
        }

        return text.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It has exited already.
        }
    }

    /// <summary>ffmpeg's error lines, without their level tags, for the caller's message.</summary>
    internal static string Errors(string stderr)
    {
        var lines = stderr.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("[error]", StringComparison.Ordinal) || line.StartsWith("[fatal]", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(']') + 1)..].Trim())
            .Distinct()
            .ToList();
        var text = lines.Count > 0 ? string.Join("; ", lines) : "ffmpeg failed without saying why";
        return text.Length <= 500 ? text : text[..500] + "…";
    }

    /// <summary>The input stream's rate and channel count from ffmpeg's description of it; 0 for what it does not say.</summary>
    internal static (int SampleRate, int Channels) SourceStream(string stderr)
    {
        var match = StreamLine().Match(stderr);
        if (!match.Success)
        {
            return (0, 0);
        }

        var rate = int.TryParse(match.Groups["rate"].ValueSpan, out var r) ? r : 0;
        var layout = match.Groups["layout"].Value.Trim();
        var channels = layout switch
        {
            "mono" => 1,
            "stereo" or "downmix" => 2,
            "quad" => 4,
            "hexagonal" => 6,
            "octagonal" => 8,
            _ when ChannelCount().Match(layout) is { Success: true } count => int.Parse(count.Groups[1].ValueSpan),
            _ when SurroundLayout().Match(layout) is { Success: true } surround => int.Parse(surround.Groups[1].ValueSpan) + int.Parse(surround.Groups[2].ValueSpan),
            _ => 0,
        };
        return (rate, channels);
    }

    // The input is described before the output, so the first audio stream line is the source's.
    [GeneratedRegex(@"Stream #\d+:\d+.*?: Audio: [^,\n]+, (?<rate>\d+) Hz, (?<layout>[^,\n]+)")]
    private static partial Regex StreamLine();

    [GeneratedRegex(@"^(\d+) channels")]
    private static partial Regex ChannelCount();

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex SurroundLayout();
}
