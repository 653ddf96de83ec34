namespace GrainServe.Generation;

/// <summary>One step of the loop: schedule, run the step model, sample, detokenize, apply stop rules.</summary>
public sealed partial class GenerationEngine
{
    private void Step()
    {
        var output = _scheduler.Schedule();
        foreach (var preempted in output.Preempted)
        {
            _model.Release(preempted.Id);
        }

        Fork(output);
        ReleaseDropped(output.Dropped);

        if (output.Scheduled.Count == 0)
        {
            if (output.Preempted.Count == 0 && _scheduler.Running.Count == 0 && _scheduler.Waiting.Count > 0)
            {
                // Validation keeps every sequence within the pool, so an empty pool always admits the head of the
                // queue; should that ever fail, fail it rather than spin.
                var head = _scheduler.Waiting.First();
                Finish(head, new GenerationUpdate { Finish = FinishReason.Error, Error = "the sequence does not fit the KV cache." }, FinishReason.Error);
            }

            return;
        }

        _entries.Clear();
        var rows = 0;
        var now = _time.GetTimestamp();
        foreach (var (sequence, tokens) in output.Scheduled)
        {
            if (sequence.FirstScheduledTimestamp == 0)
            {
                sequence.FirstScheduledTimestamp = now;
            }

            var start = sequence.ComputedTokens;
            var needsLogits = start + tokens == sequence.TotalTokens;
            _entries.Add(new StepEntry(sequence.Id, sequence.Slice(start, tokens), start, needsLogits, sequence.Request.Conditioning, sequence.Request.StepOutputs));
            rows += needsLogits ? 1 : 0;
        }

        StepLogits logits;
        var stepStarted = _time.GetTimestamp();
        try
        {
            logits = _model.Run(_entries);
            if (logits.Rows < rows)
            {
                throw new InvalidOperationException($"the step model returned {logits.Rows} logits rows for {rows} sequences.");
            }
        }
        catch (Exception exception)
        {
            // A failed step fails every sequence in it (its caches are in an unknown state); the rest keep going.
            foreach (var (sequence, _) in output.Scheduled)
            {
                Finish(sequence, new GenerationUpdate { Finish = FinishReason.Error, Error = exception.Message }, FinishReason.Error);
            }

            _steps++;
            return;
        }
        finally
        {
            _computeTime += _time.GetElapsedTime(stepStarted);
        }

        _steps++;
        _computedTokens += output.TotalTokens;
        var row = 0;
        for (var i = 0; i < output.Scheduled.Count; i++)
        {
            var (sequence, tokens) = output.Scheduled[i];
            sequence.ComputedTokens += tokens;
            var promptComputed = Math.Min(sequence.ComputedTokens, sequence.PromptLength);
            if (promptComputed > sequence.PromptTokensCounted)
            {
                _promptTokens += promptComputed - sequence.PromptTokensCounted;
                sequence.PromptTokensCounted = promptComputed;
            }

            if (!_entries[i].NeedsLogits)
            {
                continue;
            }

            var logitsRow = logits.Row(row++);
            try
            {
                sequence.Status = SequenceStatus.Decoding;
                Advance(sequence, logitsRow, logits.HiddenSize == 0 ? null : logits.HiddenRow(row - 1).ToArray());
            }
            catch (Exception exception)
            {
                Finish(sequence, new GenerationUpdate { Finish = FinishReason.Error, Error = exception.Message }, FinishReason.Error);
            }
        }
    }

    private void Advance(Sequence sequence, ReadOnlySpan<float> logits, float[]? hidden)
    {
        var sampling = sequence.Sampling;
        if (sequence.Request.LogitsProcessor is { } processor)
        {
            // The processor writes a copy: the row belongs to the step model's output buffer.
            var processed = sequence.ProcessedLogits(logits.Length);
            logits.CopyTo(processed);
            processor.Process(sequence.Output, processed);
            logits = processed;
        }

        var token = _sampler.Sample(logits, sequence.Prompt, sequence.Output, sampling, sequence.Random);
        var logprobs = sampling.Logprobs ? _sampler.Logprobs(logits, token, sampling.TopLogprobs, _decoder) : null;
        sequence.Append(token);
        _generationTokens++;
        ObserveToken(sequence);

        var endOfSequence = !sampling.IgnoreEos && sequence.Request.StopTokenIds.Contains(token);
        var length = !endOfSequence && (sequence.OutputLength >= sampling.MaxTokens || sequence.TotalTokens >= MaxSequenceTokens);

        // The end-of-sequence token's own text is never shown (vLLM); at any end the detokenizer lets go of what it
        // held for an unfinished character.
        var text = endOfSequence ? sequence.Detokenizer.Flush(sequence.Tokens[..^1])
            : length ? sequence.Detokenizer.Flush(sequence.Tokens)
            : sequence.Detokenizer.Next(sequence.Tokens);
        var released = sequence.StopMatcher.Push(text);
        var matched = sequence.StopMatcher.Matched;
        FinishReason? finish = matched is not null ? FinishReason.StopString
            : endOfSequence ? FinishReason.EndOfSequence
            : length ? FinishReason.Length
            : null;
        if (finish is FinishReason.EndOfSequence or FinishReason.Length)
        {
            released += sequence.StopMatcher.Flush();
        }

        var update = new GenerationUpdate
        {
            TokenIds = [token],
            Text = released,
            Logprobs = logprobs is null ? null : [logprobs],
            HiddenStates = hidden is null ? null : [hidden],
            Finish = finish,
            MatchedStop = matched,
            PromptTokens = sequence.PromptLength,
            CompletionTokens = sequence.OutputLength,
            QueueTime = sequence.OutputLength == 1 ? _time.GetElapsedTime(sequence.SubmittedTimestamp, sequence.FirstScheduledTimestamp) : null,
        };

        if (finish is { } reason)
        {
            Finish(sequence, update, reason);
        }
        else
        {
            sequence.Writer?.TryWrite(update);
        }
    }

    // Copies each admitted fork's shared prefix from its source's kept cache; where the model cannot, the sequence
    // prefills those tokens after all (the blocks were reserved for them either way).
    private void Fork(SchedulerOutput output)
    {
        foreach (var (sequence, source, tokens) in output.Forks)
        {
            bool forked;
            try
            {
                forked = _model.TryFork(source, sequence.Id, tokens);
            }
            catch (Exception)
            {
                forked = false;
            }

            if (forked)
            {
                _forkedTokens += tokens;
                continue;
            }

            sequence.ComputedTokens -= tokens;
            var index = output.Scheduled.FindIndex(s => s.Sequence == sequence);
            output.Scheduled[index] = (sequence, output.Scheduled[index].Tokens + tokens);
            output.TotalTokens += tokens;
        }
    }

    // Ends a sequence in the same step: its cache leaves the model and the pool (or, asked to and ended well, is kept
    // for forks), its reader completes.
    private void Finish(Sequence sequence, GenerationUpdate update, FinishReason reason)
    {
        var dropped = new List<long>();
        if (sequence.ForkSource is { } source)
        {
            // Ended before it was admitted: it will never fork.
            sequence.ForkSource = null;
            _scheduler.Unreference(source, owner: false, dropped);
        }

        if ((reason is FinishReason.EndOfSequence or FinishReason.Length or FinishReason.StopString)
            && sequence.Request.RetainCache is { SequenceId: 0, Released: false } keep && sequence.ComputedTokens > 0)
        {
            _scheduler.Retain(sequence, keep);
        }
        else
        {
            _scheduler.Remove(sequence);
            dropped.Add(sequence.Id);
        }

        // A model that cannot free one cache must still let the sequence's caller go (ReleaseDropped swallows it).
        ReleaseDropped(dropped);

        var writer = sequence.Writer;
        writer?.TryWrite(update with { PromptTokens = sequence.PromptLength, CompletionTokens = sequence.OutputLength });
        writer?.TryComplete();
        sequence.Cancellation.Dispose();
        Observe(o => o.OnFinished(reason, _time.GetElapsedTime(sequence.SubmittedTimestamp), sequence.PromptLength, sequence.OutputLength));
    }

    private void ObserveToken(Sequence sequence)
    {
        if (_observer is null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var previous = sequence.OutputLength == 1 ? sequence.SubmittedTimestamp : sequence.LastTokenTimestamp;
        sequence.LastTokenTimestamp = now;
        var elapsed = _time.GetElapsedTime(previous, now);
        Observe(sequence.OutputLength == 1 ? o => o.OnFirstToken(elapsed) : o => o.OnNextToken(elapsed));
    }

    private void Observe(Action<IGenerationObserver> call)
    {
        if (_observer is null)
        {
            return;
        }

        try
        {
            call(_observer);
        }
        catch (Exception)
        {
            // An observer is metrics: its failure must not fail a sequence or stop the loop.
        }
    }
}
