using System.Collections.Concurrent;
using System.Text;

namespace GrainServe.TestSupport;

/// <summary>
/// Stands in for <see cref="Console.Out"/> while a fixture's host is built, so its console logger writes here: keeps
/// every line, and passes it on to the real console. Console loggers built meanwhile by other fixtures of the process
/// write here too, which is why readers pick lines by trace id.
/// </summary>
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

    public override void Write(char value)
    {
        _original.Write(value);
        Capture(value.ToString());
    }

    public override void Write(string? value)
    {
        _original.Write(value);
        Capture(value ?? "");
    }

    private void Capture(string text)
    {
        if (_stopped)
        {
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
