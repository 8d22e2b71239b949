package onebyte.core.text;

import java.io.IOException;
import java.util.List;
import onebyte.core.bert.MiniLm;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.TextEncoder;
import onebyte.core.input.BadInputException;

/**
 * Texts → rows of {@code maxTokens} WordPiece token ids ([CLS] pieces [SEP] [PAD]…, 0 = [PAD])
 * for a BERT classifier ({@link TokenizedTexts}). Only the head of a long text can be kept, so it
 * tokenizes a prefix cut at a space or line break, doubling it until it gives more pieces than
 * fit (or is the whole text): cutting at whitespace leaves every earlier word whole, so the ids
 * are exactly those of the whole text.
 */
public final class TokenTextEncoder implements TextEncoder {
    /** The encoder's positions: the most tokens a row can have. */
    public static final int MAX_TOKENS = 512;

    private final WordPieceTokenizer tokenizer;
    private final int maxTokens;

    public TokenTextEncoder(WordPieceTokenizer tokenizer, int maxTokens) {
        if (maxTokens < 2 || maxTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("tokens per text must be in 2.." + MAX_TOKENS + " ([CLS] and [SEP] included), got " + maxTokens);
        }
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    /** all-MiniLM-L6-v2's tokenizer (from the classpath); a missing or broken tokenizer file is a one-line {@link BadInputException}. */
    public static TokenTextEncoder miniLm(int maxTokens) {
        try {
            return new TokenTextEncoder(MiniLm.tokenizer(), maxTokens);
        } catch (IOException | IllegalArgumentException e) {
            String where = "classpath:" + MiniLm.TOKENIZER_RESOURCE;
            String m = String.valueOf(e.getMessage());
            throw new BadInputException(m.startsWith(where) ? m : where + ": cannot read the MiniLM tokenizer: " + m);
        }
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public InMemoryDataset encode(List<String> texts, int[] classes, int numClasses) {
        float[] inputs = new float[texts.size() * maxTokens];
        float[] y = new float[classes.length];
        if (texts.size() != classes.length) throw new IllegalArgumentException(texts.size() + " texts but " + classes.length + " labels");
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = tokenizer.encode(headPieces(texts.get(i)), maxTokens).ids();
            for (int t = 0; t < maxTokens; t++) inputs[i * maxTokens + t] = ids[t];
            y[i] = classes[i];
        }
        return new InMemoryDataset(maxTokens, inputs, 1, y, numClasses);
    }

    /** Pieces whose first {@code maxTokens − 2} equal those of the whole text. */
    int[] headPieces(String text) {
        int want = maxTokens - 1; // one more than fits: the cut-off word never reaches the kept pieces
        for (int chars = 16 * maxTokens; chars < text.length(); chars *= 2) {
            int cut = whitespaceAtOrAfter(text, chars);
            if (cut < 0) break;
            int[] pieces = tokenizer.pieces(text.substring(0, cut));
            if (pieces.length >= want) return pieces;
        }
        return tokenizer.pieces(text);
    }

    private static int whitespaceAtOrAfter(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') return i;
        }
        return -1;
    }
}
