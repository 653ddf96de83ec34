namespace GrainServe.Bench;

/// <summary>The median the reports use.</summary>
internal static class MedianExtensions
{
    /// <summary>The middle value, or the mean of the two middle values when the count is even (two rounds report their mean, not the better one).</summary>
    public static double Median<T>(this IEnumerable<T> source, Func<T, double> selector)
    {
        var values = source.Select(selector).Order().ToArray();
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
