using GrainServe.TestSupport;

namespace GrainServe.Generation;

public sealed class SharedDataTests
{
    [Fact]
    public void Folder_Absent_ReturnsNullSoTestsSkip()
    {
        Assert.Null(SharedData.Folder("no-such-data-folder", nameof(Folder_Absent_ReturnsNullSoTestsSkip)));
    }
}
