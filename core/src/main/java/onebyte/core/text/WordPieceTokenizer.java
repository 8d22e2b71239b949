package onebyte.core.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A BERT tokenizer as Hugging Face's tokenizers library runs a WordPiece tokenizer.json: added
 * tokens are split out first; the rest is normalized ({@link BertNormalizer}), split into words
 * ({@link BertPreTokenizer}) and into pieces ({@link WordPiece}); then [CLS] … [SEP] around the
 * pieces, the pieces truncated on the right so the whole fits {@code maxLength}, and padding with
 * the pad id up to {@code maxLength}.
 */
public final class WordPieceTokenizer {
    private final BertNormalizer normalizer;
    private final WordPiece wordPiece;
    private final List<AddedToken> rawAdded;
    private final List<AddedToken> normalizedAdded;
    private final int clsId;
    private final int sepId;
    private final int padId;

    /** @param normalizer null for none */
    public WordPieceTokenizer(BertNormalizer normalizer, WordPiece wordPiece, List<AddedToken> added, int clsId, int sepId, int padId) {
        this.normalizer = normalizer;
        this.wordPiece = wordPiece;
        Comparator<AddedToken> longestFirst = Comparator.comparingInt((AddedToken t) -> -t.content().length());
        this.rawAdded = added.stream().filter(t -> !t.normalized()).sorted(longestFirst).toList();
        this.normalizedAdded = added.stream().filter(AddedToken::normalized).sorted(longestFirst).toList();
        this.clsId = clsId;
        this.sepId = sepId;
        this.padId = padId;
    }

    public int vocabSize() {
        return wordPiece.vocabSize();
    }

    public int padId() {
        return padId;
    }

    /** The text's token ids without [CLS]/[SEP], truncation or padding. */
    public int[] pieces(String text) {
        IntList out = new IntList();
        for (Object part : splitOn(text, rawAdded)) {
            if (part instanceof AddedToken t) {
                out.add(t.id());
                continue;
            }
            String normalized = normalizer == null ? (String) part : normalizer.normalize((String) part);
            for (Object sub : splitOn(normalized, normalizedAdded)) {
                if (sub instanceof AddedToken t) out.add(t.id());
                else for (String word : BertPreTokenizer.split((String) sub)) wordPiece.tokenize(word, out);
            }
        }
        return out.toArray();
    }

    /** [CLS] pieces [SEP], the pieces cut to {@code maxLength − 2}, padded to {@code maxLength}. */
    public Encoding encode(String text, int maxLength) {
        return encode(pieces(text), maxLength);
    }

    /** [CLS] pieces [SEP] for {@link #pieces} already computed. */
    public Encoding encode(int[] pieces, int maxLength) {
        if (maxLength < 2) throw new IllegalArgumentException("max length must be at least 2 ([CLS] and [SEP]), got " + maxLength);
        int kept = Math.min(pieces.length, maxLength - 2);
        int[] ids = new int[maxLength];
        int[] mask = new int[maxLength];
        Arrays.fill(ids, padId);
        ids[0] = clsId;
        System.arraycopy(pieces, 0, ids, 1, kept);
        ids[kept + 1] = sepId;
        Arrays.fill(mask, 0, kept + 2, 1);
        return new Encoding(ids, mask);
    }

    /** The text in pieces: Strings between the tokens' occurrences and the AddedTokens (leftmost, then longest, match). */
    private static List<Object> splitOn(String text, List<AddedToken> tokens) {
        if (tokens.isEmpty()) return List.of(text);
        List<Object> parts = new ArrayList<>();
        int from = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = null;
            for (AddedToken t : tokens) {
                if (text.startsWith(t.content(), i)) {
                    match = t;
                    break;
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            if (i > from) parts.add(text.substring(from, i));
            parts.add(match);
            i += match.content().length();
            from = i;
        }
        if (from < text.length()) parts.add(text.substring(from));
        return parts;
    }
}
