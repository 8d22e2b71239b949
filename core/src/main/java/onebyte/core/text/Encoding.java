package onebyte.core.text;

/**
 * One tokenized text: {@code ids} ([CLS] pieces [SEP], then padding) and {@code attentionMask}
 * (1 for a real token, 0 for padding), both of the padded length.
 */
public record Encoding(int[] ids, int[] attentionMask) {
    public Encoding {
        if (ids.length != attentionMask.length) throw new IllegalArgumentException("ids and mask differ in length");
    }

    /** Number of real (unpadded) tokens, [CLS] and [SEP] included. */
    public int length() {
        int n = 0;
        for (int m : attentionMask) n += m;
        return n;
    }
}
