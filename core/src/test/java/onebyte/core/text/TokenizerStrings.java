package onebyte.core.text;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** ≥ 200 varied strings to tokenize: hand-written hard cases, then seeded random mixes of them. */
final class TokenizerStrings {
    private TokenizerStrings() {}

    static final List<String> HAND = List.of(
            "Hello, World!", "hello world", "HELLO WORLD", "  leading and trailing spaces  ", "",
            " ", "\t\n\r", "The quick brown fox jumps over the lazy dog.",
            "Héllo naïve café résumé façade coöperate", "Ångström Øre Æsir straße ŁÓDŹ",
            "İstanbul ıi Iİ", "ΣΊΣΥΦΟΣ ς σ Σ", "Ελληνικά κείμενα", "Привет, мир! ЁЖИК", "مرحبا بالعالم", "שלום עולם",
            "नमस्ते दुनिया", "สวัสดีชาวโลก", "안녕하세요 세계", "こんにちは世界、カタカナ", "中文字符测试，句号。",
            "混合English和中文", "𠀀𠀁 𪜀 extension B", "豈 compatibility ideograph",
            "emoji 😀😃😄 🥰 👍🏽 👨‍👩‍👧", "flag 🇫🇷 keycap 1️⃣", "I ❤ NY ☃ ★ ✓",
            "punctuation!!! ??? ... ,,, ;;; ::: ---", "quotes \"double\" 'single' «guillemets» „low“ ‘curly’",
            "brackets (round) [square] {curly} <angle>", "math 1+1=2, 3*4=12, 10/2=5, 2^10, a<b>c, x~y|z",
            "money $100 €50 £30 ¥1000 ₹5", "percent 50% and #hashtag @mention &amp;",
            "email: someone@example.com url: https://example.org/path?q=1&r=2#frag",
            "file C:\\Users\\name\\doc.txt and /usr/local/bin", "snake_case camelCase kebab-case PascalCase",
            "numbers 3.14159 1,000,000 007 1e-10 -42", "dates 2024-01-15 15/01/2024 Jan. 15th",
            "contractions don't won't I'm it's y'all", "hyphen-ated well-known state-of-the-art",
            "em—dash en–dash ellipsis… bullet• middle·dot", "supercalifragilisticexpialidocious",
            "pneumonoultramicroscopicsilicovolcanoconiosis", "antidisestablishmentarianism floccinaucinihilipilification",
            "x".repeat(100), "y".repeat(101), "word" + "z".repeat(120) + " short", "qwxzv jkqzx bcdfgh",
            "unknownwordzzzqqq xyzzy plugh", "[CLS] already [SEP] here", "a [MASK] b[SEP]c", "[UNK][UNK] [unk]",
            "[cls] lowercase specials", "tabs\tand\nnewlines\r\nmixed", "nbsp\u00a0here\u2003em\u2009thin\u3000ideographic",
            "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom", "control\u0001\u0002\u001fchars\u007f\u0085", "soft\u00adhyphen",
            "replacement \ufffd char", "nul\u0000char", "private \ue000\uf8ff use", "combining e\u0301 a\u0300 n\u0303",
            "precomposed é à ñ vs decomposed e\u0301 a\u0300 n\u0303", "ﬁ ligature ﬀ ﬃ", "full-width ＡＢＣ １２３ ！",
            "roman numeral Ⅻ ⅷ", "superscript x² y³ H₂O", "circled ① ② ③", "Mr. Smith & Mrs. O'Neil",
            "<html><body><p class=\"x\">Hi</p></body></html>", "{\"json\": [1, 2, {\"k\": null}]}",
            "SELECT * FROM t WHERE a = 'b';", "if (x > 0) { return y; } else { x--; }", "a.b.c.d e,f,g h;i;j",
            "....", "!!!", "___", "***bold*** _italic_ ~~strike~~", "repeat repeat repeat repeat repeat",
            "The year 1999 was the last year of the second millennium, according to pedants everywhere.",
            "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
            "FREE!!! Click here to claim your $1,000,000 prize now!!! Limited offer, act fast...",
            "Subject: Re: [spam] meeting tomorrow at 10am? Thanks, -- Bob",
            "café" + "\u0301", "Ⓐⓑⓒ", "ʻokina ʼapostrophe", "Việt Nam Tiếng Việt", "Ñandú pingüino acción",
            "Zürich Köln München Düsseldorf", "København Århus Ålborg", "Kraków Gdańsk Wrocław", "Čeština Slovenčina",
            "Türkçe ğüşöçı", "Română ăâîșț", "Íslenska þðæö", "Gaeilge áéíóú", "Malti ċġħż", "Esperanto ĉĝĥĵŝŭ",
            "ﾊﾝｶｸ half-width katakana", "〜波ダッシュ・中黒「括弧」『二重』", "ㄅㄆㄇ bopomofo", "ᄀᄁ jamo 가각",
            "Ⅰ Ⅱ Ⅲ", "µ micro Ω ohm Å angstrom", "≤ ≥ ≠ ≈ ∞ ∑ ∏ √ ∫", "← ↑ → ↓ ↔", "♠ ♣ ♥ ♦", "© ® ™ ℠",
            "§ ¶ † ‡", "¿Qué? ¡Hola!", "a\u0000b\u0000c", "multiple     spaces    between");

    /** The hand-written strings, then seeded random mixes of their words, pieces and single characters. */
    static List<String> all() {
        List<String> out = new ArrayList<>(HAND);
        List<String> words = new ArrayList<>();
        for (String s : HAND) for (String w : s.split(" ")) if (!w.isEmpty()) words.add(w);
        int[] singles = {'!', ',', '.', '-', '\'', '#', 0xE9, 0x301, 0x4E2D, 0x1F600, 0x200B, 0xA0, 0x3000, 0xFF01, 0x2019, 0x0416};
        SplittableRandom rng = new SplittableRandom(13);
        for (int k = 0; k < 160; k++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + rng.nextInt(k < 140 ? 12 : 120); // the last 20 are long: truncation
            for (int i = 0; i < n; i++) {
                int r = rng.nextInt(10);
                if (r < 6) s.append(words.get(rng.nextInt(words.size())));
                else if (r < 8) s.appendCodePoint(singles[rng.nextInt(singles.length)]);
                else s.appendCodePoint(words.get(rng.nextInt(words.size())).codePointAt(0));
                s.append(rng.nextInt(4) == 0 ? "" : " ");
            }
            out.add(s.toString());
        }
        return out;
    }
}
