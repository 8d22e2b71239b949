package onebyte.core.bert;

/**
 * The shape of a post-LayerNorm BERT encoder: {@code vocab} word pieces, {@code hidden} width,
 * {@code layers} blocks of {@code heads}-head self-attention and an {@code intermediate}-wide GELU
 * feed-forward layer, learned positions over {@code maxPositions} tokens, {@code typeVocab} token
 * types, LayerNorm epsilon {@code layerNormEps}. all-MiniLM-L6-v2 is (30522, 384, 6, 12, 1536,
 * 512, 2, 1e-12).
 */
public record BertConfig(
        int vocab, int hidden, int layers, int heads, int intermediate, int maxPositions, int typeVocab,
        double layerNormEps) {

    public BertConfig {
        if (vocab <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || intermediate <= 0 || maxPositions <= 0
                || typeVocab <= 0 || !(layerNormEps > 0)) {
            throw new IllegalArgumentException("every BERT size must be positive: " + this);
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " is not divisible by heads " + heads);
        }
    }

    /** Number of float32 parameters of the encoder (embeddings, blocks; no pooler, no head). */
    public long numParams() {
        long h = hidden;
        long embeddings = (long) (vocab + maxPositions + typeVocab) * h + 2 * h;
        long block = 4 * (h * h + h) + 2 * h + (h * intermediate + intermediate) + (intermediate * h + h) + 2 * h;
        return embeddings + layers * block;
    }
}
