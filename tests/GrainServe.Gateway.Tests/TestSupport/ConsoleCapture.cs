using System.Collections.Concurrent;
using System.Text;

namespace GrainServe.TestSupport;

/// <summary>
/// Stands in for <see cref="Console.Out"/> while a fixture's host is built, so its console logger writes here: keeps
/// every line. Console loggers built meanwhile by other fixtures of the process write here too, which is why readers
/// pick lines by trace id.
/// </summary>
/// <remarks>
/// While it is <see cref="Console.Out"/> it does not pass lines on to the real console: a write here holds the lock of
/// the synchronized wrapper <see cref="Console.SetOut"/> put around it, and the real console's first write (from any
/// logger built before, holding its own writer's lock) locks <see cref="Console.Out"/>, this wrapper, to initialize the
/// terminal. Passing lines on made the two lock each other's in opposite order, and hung a test run with both console
/// loggers and Playwright (which reads the console's size) waiting.
/// </remarks>
public sealed class ConsoleCapture : TextWriter
{
    private readonly TextWriter _original;
    private readonly StringBuilder _partial = new();
    private readonly Lock _lock = new();
    private volatile bool _stopped;

    public ConsoleCapture()
    {
        _original = Console.Out;
        Console.SetOut(this);
    }

    public override Encoding Encoding => _original.Encoding;

    public ConcurrentQueue<string> Lines { get; } = new();

    public override void Write(char value) => Capture(value.ToString());

    public override void Write(string? value) => Capture(value ?? "");

    private void Capture(string text)
    {
        if (_stopped)
        {
            // The console is the real one again, so its lock is its own writer's: no order to invert.
            _original.Write(text);
            return;
        }

        lock (_lock)
        {
            foreach (var c in text)
            {
                if (c == '\n')
                {
                    Lines.Enqueue(_partial.ToString().TrimEnd('\r'));
                    _partial.Clear();
                }
                else
                {
                    _partial.Append(c);
                }
            }
        }
    }

    /// <summary>Gives the console back; lines still written here go to the console only.</summary>
    public void Stop()
    {
        _stopped = true;
        Console.SetOut(_original);
    }
}
