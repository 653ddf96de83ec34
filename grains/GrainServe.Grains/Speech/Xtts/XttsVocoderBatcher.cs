using System.Threading.Channels;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// Runs the vocoder for every live synthesis of one instance: the windows that are ready while a run is in progress
/// wait, and the next run takes them all, grouped by <see cref="VocoderBatchPlan"/> into batched ONNX calls of equal
/// length. No window waits for company: an idle batcher runs a lone window at once, so one synthesis alone streams as
/// soon as it did before. One run at a time, on the pool; each run is a single multi-threaded ONNX call.
/// </summary>
internal sealed class XttsVocoderBatcher : IAsyncDisposable
{
    private readonly XttsVocoder _vocoder;
    private readonly int _maxBatch;
    private readonly Channel<(VocoderWindow Window, TaskCompletionSource<VocoderDecode> Done)> _pending =
        Channel.CreateUnbounded<(VocoderWindow, TaskCompletionSource<VocoderDecode>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _loop;
    private long _windows;

    /// <param name="vocoder">The vocoder; the batcher does not own it.</param>
    /// <param name="maxBatch">The most windows one run takes (the graph's own limit applies too); 1 runs each alone.</param>
    public XttsVocoderBatcher(XttsVocoder vocoder, int maxBatch)
    {
        _vocoder = vocoder;
        _maxBatch = Math.Max(1, Math.Min(maxBatch, vocoder.MaxBatch));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Windows decoded so far; with <see cref="XttsVocoder.Runs"/>, how well they were batched.</summary>
    public long Windows => Interlocked.Read(ref _windows);

    /// <summary>Decodes <paramref name="window"/>, with whatever other windows are waiting when the vocoder is next free.</summary>
    /// <exception cref="ObjectDisposedException">The model is unloading.</exception>
    public Task<VocoderDecode> DecodeAsync(VocoderWindow window)
    {
        var done = new TaskCompletionSource<VocoderDecode>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (window.Length == 0)
        {
            done.SetResult(new VocoderDecode([], window.Count));
        }
        else if (!_pending.Writer.TryWrite((window, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(XttsVocoderBatcher), "the model is unloading"));
        }

        return done.Task;
    }

    private async Task RunAsync()
    {
        var ready = new List<(VocoderWindow Window, TaskCompletionSource<VocoderDecode> Done)>();
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_pending.Reader.TryRead(out var item))
            {
                ready.Add(item);
            }

            foreach (var run in VocoderBatchPlan.Plan(ready.Select(r => (r.Window.From, r.Window.Length)).ToList(), _maxBatch))
            {
                Run(run, ready);
            }

            ready.Clear();
        }
    }

    private void Run(VocoderBatchPlan.Run run, List<(VocoderWindow Window, TaskCompletionSource<VocoderDecode> Done)> ready)
    {
        var hidden = _vocoder.Hidden;
        var speakerSize = _vocoder.SpeakerSize;
        var batch = run.Windows.Count;
        try
        {
            var latents = new float[batch * run.Length * hidden];
            var speakers = new float[batch * speakerSize];
            for (var b = 0; b < batch; b++)
            {
                var window = ready[run.Windows[b]].Window;
                window.CopyRows(window.Count - run.Length, latents.AsSpan(b * run.Length * hidden, run.Length * hidden), hidden);
                window.Speaker.AsSpan(0, speakerSize).CopyTo(speakers.AsSpan(b * speakerSize));
            }

            var wavs = _vocoder.Decode(latents, batch, run.Length, speakers);
            Interlocked.Add(ref _windows, batch);
            for (var b = 0; b < batch; b++)
            {
                var window = ready[run.Windows[b]].Window;
                ready[run.Windows[b]].Done.SetResult(new VocoderDecode(wavs[b], window.Count - run.Length));
            }
        }
        catch (Exception ex)
        {
            // A failed run fails every window in it; the other runs of this round still go.
            foreach (var i in run.Windows)
            {
                ready[i].Done.TrySetException(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
