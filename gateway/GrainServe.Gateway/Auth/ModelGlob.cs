namespace GrainServe.Gateway.Auth;

/// <summary>
/// A key's model patterns: <c>*</c> matches any run of characters (none included), <c>?</c> one character, anything
/// else itself, case-sensitively as model names are.
/// </summary>
internal static class ModelGlob
{
    public static bool Matches(string pattern, string name)
    {
        // Iterative wildcard matching: on a mismatch, go back to the last '*' and let it swallow one more character.
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
