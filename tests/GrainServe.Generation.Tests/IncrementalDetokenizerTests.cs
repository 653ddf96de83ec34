using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

public sealed class IncrementalDetokenizerTests
{
    private static List<string> Feed(int[] prompt, int[] output, bool skipSpecialTokens = true)
    {
        var detokenizer = new IncrementalDetokenizer(new FakeTokenDecoder(), prompt.Length, skipSpecialTokens);
        var tokens = prompt.ToList();
        var pieces = new List<string>();
        foreach (var token in output)
        {
            tokens.Add(token);
            pieces.Add(detokenizer.Next(tokens.ToArray()));
        }

        pieces.Add(detokenizer.Flush(tokens.ToArray()));
        return pieces;
    }

    [Fact]
    public void Next_CharacterSplitOverTwoTokens_HoldsItUntilComplete()
    {
        int[] output = [.. FakeTokenDecoder.Encode("ab"), FakeTokenDecoder.AccentLead, FakeTokenDecoder.AccentTrail, .. FakeTokenDecoder.Encode("c")];

        var pieces = Feed(FakeTokenDecoder.Encode("xyz"), output);

        Assert.Equal(["a", "b", "", "é", "c", ""], pieces);
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
    }

    [Fact]
    public void Next_SpecialTokens_SkippedOrShownAsAsked()
    {
        int[] output = [2, FakeTokenDecoder.Eos, 3];

        Assert.Equal("ab", string.Concat(Feed([2], output)));
        Assert.Equal("a</s>b", string.Concat(Feed([2], output, skipSpecialTokens: false)));
    }

    [Fact]
    public void Flush_EndingMidCharacter_ReleasesWhatIsHeld()
    {
        var pieces = Feed([2], [3, FakeTokenDecoder.AccentLead]);

        Assert.Equal(["b", "", "\uFFFD"], pieces);
    }

    [Fact]
    public void Next_ManyTokens_ConcatenationEqualsTheWholeDecode()
    {
        var random = new Random(8);
        var output = Enumerable.Range(0, 300).Select(_ => random.Next(0, FakeStepModel.Vocabulary)).ToArray();
        var decoder = new FakeTokenDecoder();

        var text = string.Concat(Feed([5, 6], output));

        Assert.Equal(decoder.Decode(output, skipSpecialTokens: true), text);
    }
}
