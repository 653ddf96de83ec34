using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GrainServe.TestSupport;

/// <summary>
/// A logger provider that keeps every entry a host writes (after its level filters) as text: the message, each
/// template value, the exception and the scopes around it, so that a test can say what never appears in any of them.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var parts = new List<string> { category, eventId.ToString(), formatter(state, exception) };
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                parts.AddRange(values.Select(v => $"{v.Key}={v.Value}"));
            }

            if (exception is not null)
            {
                parts.Add(exception.ToString());
            }

            owner._scopes.ForEachScope((scope, list) =>
            {
                list.Add(scope?.ToString() ?? "");
                if (scope is IEnumerable<KeyValuePair<string, object?>> scopeValues)
                {
                    list.AddRange(scopeValues.Select(v => $"{v.Key}={v.Value}"));
                }
            }, parts);
            owner.Entries.Enqueue(string.Join(" | ", parts));
        }
    }
}
