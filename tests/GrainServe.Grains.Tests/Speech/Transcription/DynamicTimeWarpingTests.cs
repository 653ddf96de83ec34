namespace GrainServe.Speech.Transcription;

/// <summary>Whisper's DTW on matrices small enough to work through by hand (the cells' costs and choices are in the comments).</summary>
public sealed class DynamicTimeWarpingTests
{
    [Fact]
    public void Path_TwoTokensOverFourFrames_FollowsTheCheapCells()
    {
        // cost[1,1] = 0 (diagonal), cost[1,2] = 0 (left), cost[2,2]: diagonal 0 ties up 0, so left (5) as whisper breaks
        // ties; cost[2,3] = 0 by the diagonal from cost[1,2], cost[2,4] = 0 from the left. Back from (2,4): left, diagonal,
        // left, diagonal.
        double[,] cost =
        {
            { 0, 0, 5, 5 },
            { 5, 5, 0, 0 },
        };

        var (text, time) = DynamicTimeWarping.Path(cost);

        Assert.Equal([0, 0, 1, 1], text);
        Assert.Equal([0, 1, 2, 3], time);
    }

    [Fact]
    public void Path_AllTied_TakesLeftOverUpOverDiagonal_AsWhisperDoes()
    {
        // At (2,2) diagonal, up and left all cost 0: whisper's rule takes the diagonal only when strictly cheaper, then
        // up, else left; so the path goes left to (2,1), up to (1,1), then diagonally to the start.
        double[,] cost = { { 0, 0 }, { 0, 0 } };

        var (text, time) = DynamicTimeWarping.Path(cost);

        Assert.Equal([0, 1, 1], text);
        Assert.Equal([0, 0, 1], time);
    }

    [Fact]
    public void Path_Diagonal_IsTheDiagonal()
    {
        double[,] cost = { { 1, 9, 9 }, { 9, 1, 9 }, { 9, 9, 1 } };

        var (text, time) = DynamicTimeWarping.Path(cost);

        Assert.Equal([0, 1, 2], text);
        Assert.Equal([0, 1, 2], time);
    }
}
