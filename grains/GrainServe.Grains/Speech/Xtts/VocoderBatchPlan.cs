namespace GrainServe.Speech.Xtts;

/// <summary>
/// Groups pending vocoder windows into batched runs of one length each, because padding a window with made-up
/// latents is not exact for a HiFi-GAN (every layer pads its own activations with zeros, which padded latents do not
/// give), while extending it to the left with its own earlier latents is. Greedy: the longest pending window sets a
/// run's length, and every window that has enough earlier rows joins it, up to the batch limit. Pure.
/// </summary>
internal static class VocoderBatchPlan
{
    /// <summary>One batched run: its length in rows and the indices of its windows.</summary>
    public sealed record Run(int Length, IReadOnlyList<int> Windows);

    /// <summary>The runs for windows given as (first row, length), each window in exactly one run, longest runs first.</summary>
    public static IReadOnlyList<Run> Plan(IReadOnlyList<(int From, int Length)> windows, int maxBatch)
    {
        var left = Enumerable.Range(0, windows.Count).OrderByDescending(i => windows[i].Length).ThenBy(i => i).ToList();
        var runs = new List<Run>();
        while (left.Count > 0)
        {
            var length = windows[left[0]].Length;
            var members = left.Where(i => windows[i].From >= length - windows[i].Length).Take(Math.Max(1, maxBatch)).ToList();
            left.RemoveAll(members.Contains);
            runs.Add(new Run(length, members));
        }

        return runs;
    }
}
