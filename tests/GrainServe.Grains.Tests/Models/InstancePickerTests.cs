using GrainServe.Routing;

namespace GrainServe.Models;

public sealed class InstancePickerTests
{
    [Fact]
    public void Takes_the_less_loaded_of_the_two_drawn()
    {
        // With two entries both are always drawn, so the less loaded one always wins.
        var random = new Random(7);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(1, InstancePicker.PickOfTwo([5, 2], random));
        }
    }

    [Fact]
    public void Handles_empty_and_single()
    {
        Assert.Equal(-1, InstancePicker.PickOfTwo(Array.Empty<int>(), new Random(1)));
        Assert.Equal(0, InstancePicker.PickOfTwo([9], new Random(1)));
    }

    [Fact]
    public void Never_takes_the_most_loaded_of_many_and_spreads_ties()
    {
        var random = new Random(3);
        var counts = new int[4];
        for (var i = 0; i < 12_000; i++)
        {
            counts[InstancePicker.PickOfTwo([1, 1, 1, 9], random)]++;
        }

        // The busy entry can only win a draw against itself, which never happens: draws are distinct.
        Assert.Equal(0, counts[3]);

        // The three tied entries each win a third, within 5 sigma of 4000 (sigma about 52).
        Assert.All(counts[..3], c => Assert.InRange(c, 3740, 4260));
    }

    [Fact]
    public void Orders_generation_load_by_sequences_then_kv_use()
    {
        var random = new Random(1);
        Assert.Equal(0, InstancePicker.PickOfTwo([(1, 0.9), (2, 0.0)], random));
        Assert.Equal(1, InstancePicker.PickOfTwo([(1, 0.9), (1, 0.1)], random));
    }
}
