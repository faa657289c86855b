using System.Text.RegularExpressions;

namespace SeqClassify.MLNet.Text;

/// <summary>
/// torchtext's 'basic_english' rules, exactly as ../shared/reference/torch_reference.py applies
/// them: lower-case, drop double quotes, split off . , ( ) ! ?, turn &lt;br /&gt;, ; and : into spaces,
/// pad apostrophes, split on whitespace.
/// </summary>
public static partial class BasicEnglishTokenizer
{
    private static readonly (Regex Pattern, string Replacement)[] Rules =
    [
        (Apostrophe(), " '  "),
        (Quote(), ""),
        (Period(), " . "),
        (LineBreak(), " "),
        (Comma(), " , "),
        (OpenParen(), " ( "),
        (CloseParen(), " ) "),
        (Bang(), " ! "),
        (Question(), " ? "),
        (Semicolon(), " "),
        (Colon(), " "),
        (Spaces(), " "),
    ];

    /// <summary>The tokens of one text.</summary>
    public static string[] Tokenize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }
        // Python's str.lower() is Unicode-aware and culture-free, like ToLowerInvariant.
        string s = text.ToLowerInvariant();
        foreach (var (pattern, replacement) in Rules)
        {
            s = pattern.Replace(s, replacement);
        }
        // Python's str.split() with no argument splits on any whitespace and drops empty pieces.
        return s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    [GeneratedRegex("'")] private static partial Regex Apostrophe();
    [GeneratedRegex("\"")] private static partial Regex Quote();
    [GeneratedRegex(@"\.")] private static partial Regex Period();
    [GeneratedRegex(@"<br \/>")] private static partial Regex LineBreak();
    [GeneratedRegex(",")] private static partial Regex Comma();
    [GeneratedRegex(@"\(")] private static partial Regex OpenParen();
    [GeneratedRegex(@"\)")] private static partial Regex CloseParen();
    [GeneratedRegex("!")] private static partial Regex Bang();
    [GeneratedRegex(@"\?")] private static partial Regex Question();
    [GeneratedRegex(";")] private static partial Regex Semicolon();
    [GeneratedRegex(":")] private static partial Regex Colon();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
}
