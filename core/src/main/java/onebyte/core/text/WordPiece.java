package onebyte.core.text;

import java.util.Map;

/**
 * WordPiece: a word becomes its greedy longest-match-first pieces from the vocabulary, every piece
 * after the first looked up with the {@code continuingPrefix} ("##"); a word longer than {@code
 * maxInputCharsPerWord} characters, or one with a part no piece matches, becomes the single
 * unknown token.
 */
public final class WordPiece {
    private final Map<String, Integer> vocab;
    private final int unkId;
    private final String continuingPrefix;
    private final int maxInputCharsPerWord;

    public WordPiece(Map<String, Integer> vocab, String unkToken, String continuingPrefix, int maxInputCharsPerWord) {
        Integer unk = vocab.get(unkToken);
        if (unk == null) throw new IllegalArgumentException("unknown token '" + unkToken + "' is not in the vocabulary");
        if (maxInputCharsPerWord <= 0) throw new IllegalArgumentException("max_input_chars_per_word must be positive");
        this.vocab = Map.copyOf(vocab);
        this.unkId = unk;
        this.continuingPrefix = continuingPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    public int vocabSize() {
        return vocab.size();
    }

    public int unkId() {
        return unkId;
    }

    /** Appends the ids of word's pieces to {@code out}. */
    public void tokenize(String word, IntList out) {
        int chars = word.codePointCount(0, word.length());
        if (chars > maxInputCharsPerWord) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer id = null;
            while (end > start) {
                String piece = start == 0 ? word.substring(start, end) : continuingPrefix + word.substring(start, end);
                id = vocab.get(piece);
                if (id != null) break;
                end = word.offsetByCodePoints(end, -1);
            }
            if (id == null) {
                out.truncate(mark);
                out.add(unkId);
                return;
            }
            out.add(id);
            start = end;
        }
    }
}
