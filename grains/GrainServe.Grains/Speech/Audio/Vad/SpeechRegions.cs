namespace GrainServe.Speech.Audio.Vad;

/// <summary>
/// Silero VAD's <c>get_speech_timestamps</c>: from one speech probability per window of <see cref="SileroVad.WindowSamples"/>
/// samples to the stretches of speech, with its hysteresis (speech starts at the threshold, ends below the negative one
/// after a long enough pause), its cut of over-long speech, and its padding. Pure.
/// </summary>
internal static class SpeechRegions
{
    /// <summary>The stretches of speech, in order and not overlapping.</summary>
    /// <param name="probabilities">One speech probability per window, from the start of the recording.</param>
    /// <param name="samples">The recording's length in samples.</param>
    /// <param name="options">The thresholds and durations.</param>
    /// <param name="sampleRate">Samples per second (16 000 for Whisper).</param>
    /// <param name="window">Samples per probability (512 at 16 kHz).</param>
    public static IReadOnlyList<SpeechRegion> Find(ReadOnlySpan<float> probabilities, int samples, VadOptions options, int sampleRate = 16000, int window = SileroVad.WindowSamples)
    {
        var minSpeech = sampleRate * options.MinSpeechDurationMs / 1000.0;
        var pad = sampleRate * options.SpeechPadMs / 1000.0;
        var maxSpeech = sampleRate * options.MaxSpeechDurationS - window - 2 * pad;
        var minSilence = sampleRate * options.MinSilenceDurationMs / 1000.0;
        var minSilenceAtMaxSpeech = sampleRate * 98 / 1000.0;
        var negThreshold = options.NegThreshold ?? Math.Max(options.Threshold - 0.15, 0.01);

        var speeches = new List<(int Start, int End)>();
        var triggered = false;
        int start = 0, tempEnd = 0, prevEnd = 0, nextStart = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            var at = window * i;
            if (p >= options.Threshold && tempEnd != 0)
            {
                tempEnd = 0;
                if (nextStart < prevEnd)
                {
                    nextStart = at;
                }
            }

            if (p >= options.Threshold && !triggered)
            {
                triggered = true;
                start = at;
                continue;
            }

            if (triggered && at - start > maxSpeech)
            {
                // Too long: cut at the last long enough pause, or here.
                if (prevEnd != 0)
                {
                    speeches.Add((start, prevEnd));
                    if (nextStart < prevEnd)
                    {
                        triggered = false;
                    }
                    else
                    {
                        start = nextStart;
                    }

                    prevEnd = nextStart = tempEnd = 0;
                }
                else
                {
                    speeches.Add((start, at));
                    prevEnd = nextStart = tempEnd = 0;
                    triggered = false;
                    continue;
                }
            }

            if (p < negThreshold && triggered)
            {
                if (tempEnd == 0)
                {
                    tempEnd = at;
                }

                if (at - tempEnd > minSilenceAtMaxSpeech)
                {
                    prevEnd = tempEnd;
                }

                if (at - tempEnd < minSilence)
                {
                    continue;
                }

                if (tempEnd - start > minSpeech)
                {
                    speeches.Add((start, tempEnd));
                }

                prevEnd = nextStart = tempEnd = 0;
                triggered = false;
            }
        }

        if (triggered && samples - start > minSpeech)
        {
            speeches.Add((start, samples));
        }

        // Padding: a pause shorter than two paddings is split between its neighbours.
        var padded = speeches.Select(s => (Start: (double)s.Start, End: (double)s.End)).ToArray();
        for (var i = 0; i < padded.Length; i++)
        {
            if (i == 0)
            {
                padded[i].Start = Math.Max(0, Math.Floor(padded[i].Start - pad));
            }

            if (i != padded.Length - 1)
            {
                var silence = padded[i + 1].Start - padded[i].End;
                if (silence < 2 * pad)
                {
                    padded[i].End += Math.Floor(silence / 2);
                    padded[i + 1].Start = Math.Max(0, Math.Floor(padded[i + 1].Start - Math.Floor(silence / 2)));
                }
                else
                {
                    padded[i].End = Math.Min(samples, Math.Floor(padded[i].End + pad));
                    padded[i + 1].Start = Math.Max(0, Math.Floor(padded[i + 1].Start - pad));
                }
            }
            else
            {
                padded[i].End = Math.Min(samples, Math.Floor(padded[i].End + pad));
            }
        }

        return [.. padded.Select(s => new SpeechRegion((int)s.Start, (int)s.End))];
    }
}
