using GrainServe.Generation;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Whisper's <c>BeamSearchDecoder</c> (<c>decoding.py</c>, patience 1) with its <c>MaximumLikelihoodRanker</c>
/// (length penalty None): each step extends every beam by its <c>beam_size + 1</c> likeliest tokens, keeps the
/// <c>beam_size</c> best unfinished sequences by summed log probability, and sets aside the ones that ended in
/// <c>&lt;|endoftext|&gt;</c> until <c>beam_size</c> have; the result is the finished sequence with the best sum
/// log probability per token. The model behind it is a callback, so the search is pure.
/// </summary>
internal static class BeamSearch
{
    /// <summary>
    /// Searches up to <paramref name="maxTokens"/> steps. <paramref name="candidates"/> gets the distinct prefixes of one
    /// step (the tokens sampled so far, empty at the first) and answers, per prefix in order, its next tokens' log
    /// probabilities, at least the <c>beam_size + 1</c> likeliest (<see cref="TopCandidates"/>).
    /// </summary>
    /// <returns>The chosen tokens without the end token, and their summed log probability (the end token's included when it was sampled).</returns>
    public static async Task<(int[] Tokens, double SumLogprob)> SearchAsync(
        int beamSize,
        int maxTokens,
        int endOfText,
        Func<IReadOnlyList<int[]>, CancellationToken, Task<IReadOnlyList<IReadOnlyList<(int Token, double Logprob)>>>> candidates,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamSize, 1);

        // As whisper's: every beam starts as the same empty sequence; a dictionary keyed by the tokens folds them.
        var beams = Enumerable.Repeat((Tokens: Array.Empty<int>(), Sum: 0.0), beamSize).ToList();
        var finished = new List<(int[] Tokens, double Sum)>();
        for (var step = 0; step < maxTokens && finished.Count < beamSize; step++)
        {
            var prefixes = beams.Select(b => b.Tokens).Distinct(TokensComparer.Instance).ToList();
            var answers = await candidates(prefixes, cancellationToken).ConfigureAwait(false);

            // Python's dict: a sequence seen again keeps its first place and takes the later score.
            var scores = new Dictionary<int[], double>(TokensComparer.Instance);
            var order = new List<int[]>();
            foreach (var (tokens, sum) in beams)
            {
                var top = answers[prefixes.FindIndex(p => TokensComparer.Instance.Equals(p, tokens))];
                foreach (var (token, logprob) in top.Take(beamSize + 1))
                {
                    int[] sequence = [.. tokens, token];
                    if (!scores.ContainsKey(sequence))
                    {
                        order.Add(sequence);
                    }

                    scores[sequence] = sum + logprob;
                }
            }

            var next = new List<(int[] Tokens, double Sum)>(beamSize);
            var newlyFinished = new List<(int[] Tokens, double Sum)>();
            foreach (var sequence in order.OrderByDescending(s => scores[s]))
            {
                if (sequence[^1] == endOfText)
                {
                    newlyFinished.Add((sequence, scores[sequence]));
                }
                else
                {
                    next.Add((sequence, scores[sequence]));
                    if (next.Count == beamSize)
                    {
                        break;
                    }
                }
            }

            finished.AddRange(newlyFinished.Take(beamSize - finished.Count));
            beams = next;
            if (beams.Count == 0)
            {
                break;
            }
        }

        // finalize: too few finished, so the best unfinished beams count as ended there.
        foreach (var (tokens, sum) in beams.OrderByDescending(b => b.Sum))
        {
            if (finished.Count >= beamSize)
            {
                break;
            }

            finished.Add(([.. tokens, endOfText], sum));
        }

        var best = Rank(finished.Select(f => (Trim(f.Tokens, endOfText), f.Sum)).ToList());
        return best;
    }

    /// <summary>
    /// <c>MaximumLikelihoodRanker</c> with length penalty None, which whisper also ranks <c>best_of</c> samples with:
    /// the sequence of the highest sum log probability per token (an empty one scores its sum over zero tokens: −∞ when negative); the first of equals.
    /// </summary>
    public static (int[] Tokens, double SumLogprob) Rank(IReadOnlyList<(int[] Tokens, double SumLogprob)> sequences)
    {
        var best = 0;
        for (var i = 1; i < sequences.Count; i++)
        {
            if (Score(sequences[i]) > Score(sequences[best]))
            {
                best = i;
            }
        }

        return sequences[best];

        static double Score((int[] Tokens, double SumLogprob) s) => s.SumLogprob / s.Tokens.Length;
    }

    /// <summary>
    /// The <paramref name="count"/> likeliest tokens of one row of (filtered) logits with their log-softmax, likeliest
    /// first; tokens at −∞ are left out.
    /// </summary>
    public static IReadOnlyList<(int Token, double Logprob)> TopCandidates(ReadOnlySpan<float> logits, int count)
    {
        var logSum = LogSoftmax.LogSumExp(logits);
        var top = new List<(int Token, double Logprob)>(count + 1);
        for (var i = 0; i < logits.Length; i++)
        {
            if (float.IsNegativeInfinity(logits[i]) || (top.Count == count && logits[i] <= top[^1].Logprob + logSum))
            {
                continue;
            }

            var entry = (i, logits[i] - logSum);
            var at = top.FindIndex(t => t.Logprob < entry.Item2);
            top.Insert(at < 0 ? top.Count : at, entry);
            if (top.Count > count)
            {
                top.RemoveAt(count);
            }
        }

        return top;
    }

    private static int[] Trim(int[] tokens, int endOfText)
    {
        var end = Array.IndexOf(tokens, endOfText);
        return end < 0 ? tokens : tokens[..end];
    }

    internal sealed class TokensComparer : IEqualityComparer<int[]>
    {
        public static readonly TokensComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var hash = default(HashCode);
            foreach (var token in obj)
            {
                hash.Add(token);
            }

            return hash.ToHashCode();
        }
    }
}
