package onebyte.core.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Hugging Face's {@code BertNormalizer}, step by step in its order: clean the text (drop NUL,
 * U+FFFD and other control/format/unassigned characters except tab, newline and carriage return;
 * every whitespace character becomes a space), put spaces around CJK ideographs, strip accents
 * (NFD, then drop non-spacing marks), lower-case each character on its own (full Unicode mapping,
 * no context rules). {@code stripAccents} null means "as {@code lowercase}", as in the original.
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase) {

    public String normalize(String text) {
        String s = text;
        if (cleanText) s = clean(s);
        if (handleChineseChars) s = spaceChineseChars(s);
        if (stripAccents == null ? lowercase : stripAccents) s = stripAccents(s);
        if (lowercase) s = lowercase(s);
        return s;
    }

    private static String clean(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == 0 || c == 0xFFFD || isControl(c)) return;
            if (isWhitespace(c)) out.append(' ');
            else out.appendCodePoint(c);
        });
        return out.toString();
    }

    private static String spaceChineseChars(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (isChineseChar(c)) out.append(' ').appendCodePoint(c).append(' ');
            else out.appendCodePoint(c);
        });
        return out.toString();
    }

    private static String stripAccents(String s) {
        String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        nfd.codePoints().forEach(c -> {
            if (Character.getType(c) != Character.NON_SPACING_MARK) out.appendCodePoint(c);
        });
        return out.toString();
    }

    private static String lowercase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            int simple = Character.toLowerCase(c);
            // a character alone has no context, so String's full mapping of it is the per-character mapping
            if (simple == c && !Character.isUpperCase(c) && !Character.isTitleCase(c)) out.appendCodePoint(c);
            else out.append(new String(Character.toChars(c)).toLowerCase(Locale.ROOT));
        });
        return out.toString();
    }

    /** Tab, newline, carriage return and Unicode's White_Space characters. */
    static boolean isWhitespace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0B, 0x0C, '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }

    /** Unicode's "Other" categories (Cc, Cf, Cs, Co, Cn), except tab, newline and carriage return. */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') return false;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** The CJK Unified Ideographs blocks and their extensions and compatibility blocks, as BERT defines them. */
    static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
