using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using GrainServe.Errors;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// mp3, Ogg Opus, AAC (ADTS) and FLAC through ffmpeg as a child process: raw 16-bit samples into its stdin, the
/// encoded stream out of its stdout and on to the sink as ffmpeg writes it (flushed per packet, so audio leaves while
/// the voice is still speaking).
/// </summary>
internal sealed class FfmpegSpeechEncoder : SpeechEncoder
{
    private const int MaxStderrChars = 16 * 1024;
    private readonly Process _process;
    private readonly Task _stdout;
    private readonly Task<string> _stderr;
    private readonly string _format;

    private FfmpegSpeechEncoder(Process process, string format, Func<ReadOnlyMemory<byte>, ValueTask> sink)
    {
        _process = process;
        _format = format;
        _stdout = PumpAsync(process.StandardOutput.BaseStream, sink);
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts ffmpeg for <paramref name="format"/> from <paramref name="sampleRate"/> Hz samples; a 400 naming ffmpeg when it cannot start.</summary>
    public static FfmpegSpeechEncoder Start(string ffmpegPath, string format, int sampleRate, Func<ReadOnlyMemory<byte>, ValueTask> sink)
    {
        var start = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] input = ["-hide_banner", "-nostats", "-loglevel", "error", "-f", "s16le", "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-ac", "1", "-i", "pipe:0"];
        foreach (var argument in input.Concat(Output(format)).Append("pipe:1"))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return new FfmpegSpeechEncoder(Process.Start(start) ?? throw new Win32Exception(), format, sink);
        }
        catch (Win32Exception)
        {
            throw SpeechEncoders.MissingFfmpeg(format, ffmpegPath);
        }
    }

    public override async ValueTask WriteAsync(float[] samples)
    {
        try
        {
            await _process.StandardInput.BaseStream.WriteAsync(Pcm16(samples));
            await _process.StandardInput.BaseStream.FlushAsync();
        }
        catch (IOException)
        {
            // ffmpeg stopped reading: it failed (CompleteAsync reports why) or was killed.
        }
    }

    public override async ValueTask CompleteAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // As in WriteAsync: its stderr says why.
        }

        await _stdout;
        await _process.WaitForExitAsync();
        if (_process.ExitCode != 0)
        {
            var stderr = await _stderr;
            throw new InferenceException(InferenceErrorCode.Internal, $"ffmpeg could not encode {_format}: {(stderr.Length > MaxStderrChars ? stderr[..MaxStderrChars] : stderr).Trim()}");
        }
    }

    public override ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    // The encoder and muxer of each format. Opus takes 48 kHz (libopus has no 22.05 kHz mode); Ogg pages are cut
    // every 100 ms so a player gets audio early; AAC goes in ADTS, which streams (MP4 needs its index at the end).
    private static IEnumerable<string> Output(string format) => Codec(format).Concat(["-flush_packets", "1"]);

    private static string[] Codec(string format) => format switch
    {
        SpeechFormats.Mp3 => ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"],
        SpeechFormats.Opus => ["-c:a", "libopus", "-b:a", "64k", "-ar", "48000", "-page_duration", "100000", "-f", "ogg"],
        SpeechFormats.Aac => ["-c:a", "aac", "-b:a", "128k", "-f", "adts"],
        SpeechFormats.Flac => ["-c:a", "flac", "-f", "flac"],
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an ffmpeg format"),
    };

    private static async Task PumpAsync(Stream stdout, Func<ReadOnlyMemory<byte>, ValueTask> sink)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            await sink(buffer.AsMemory(0, read));
        }
    }
}
