using System.Globalization;
using System.Text;

namespace SeqClassify.MLNet.Text;

/// <summary>
/// BERT's basic tokenization, before WordPiece, as Google's and Hugging Face's BertTokenizer do it:
/// drop NUL, U+FFFD and control characters and turn whitespace into spaces; put spaces around CJK
/// ideographs; NFC; split on whitespace; lower-case and strip accents (NFD, then no non-spacing marks)
/// when asked; split every punctuation character off as a word of its own, where punctuation is
/// every ASCII character that is not a letter or digit ("$", "^", "`" included) and every Unicode P*.
/// Microsoft.ML.Tokenizers 3.0.0's own basic tokenization drops the ASCII symbols that Unicode does
/// not call punctuation (` ^ $ + &lt; = &gt; | ~), which PTB-style text such as SST-2 is full of ("``"), so
/// it is done here and BertTokenizer does the WordPiece part.
/// </summary>
internal static class BertBasicTokenization
{
    /// <summary>The words, space-separated.</summary>
    public static string Apply(string text, bool lowerCase, bool stripAccents, bool splitCjk)
    {
        var cleaned = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0 || rune.Value == 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune)) cleaned.Append(' ');
            else if (splitCjk && IsCjk(rune.Value)) cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            else cleaned.Append(rune.ToString());
        }
        var words = new StringBuilder(cleaned.Length + 16);
        foreach (string raw in cleaned.ToString().Normalize(NormalizationForm.FormC).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string word = raw;
            if (lowerCase) word = word.ToLowerInvariant();
            if (stripAccents)
            {
                var stripped = new StringBuilder(word.Length);
                foreach (char c in word.Normalize(NormalizationForm.FormD))
                {
                    if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) stripped.Append(c);
                }
                word = stripped.ToString();
            }
            foreach (var rune in word.EnumerateRunes())
            {
                if (IsPunctuation(rune))
                {
                    words.Append(' ').Append(rune.ToString()).Append(' ');
                }
                else
                {
                    words.Append(rune.ToString());
                }
            }
            words.Append(' ');
        }
        return words.ToString();
    }

    private static bool IsWhitespace(Rune r) => r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(Rune r) => r.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(r) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
