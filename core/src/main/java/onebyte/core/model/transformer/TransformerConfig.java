package onebyte.core.model.transformer;

/**
 * The shape of a {@link Transformer}.
 *
 * @param layout which block layout and ends the stack has
 * @param vocab token vocabulary (rows of the token embedding; the decoder's head predicts over it)
 * @param maxPositions learned positions (the longest sequence)
 * @param typeVocab token-type (segment) vocabulary of the encoder (BERT: 2); 0 for the decoder
 * @param width hidden size H
 * @param layers number of blocks
 * @param heads attention heads (H divisible by heads)
 * @param ffn inner size of the feed-forward part
 * @param lnEps the LayerNorm epsilon (BERT: 1e-12)
 */
public record TransformerConfig(Layout layout, int vocab, int maxPositions, int typeVocab, int width, int layers, int heads,
                                int ffn, double lnEps) {
    public enum Layout {
        /**
         * GPT-style language model: token + position embeddings, pre-LN blocks
         * (x += Attn(LN1(x)) with the causal mask; x += FFN(LN2(x))), a final LayerNorm and a
         * linear head to logits over the vocabulary.
         */
        CAUSAL_DECODER,
        /**
         * Hugging Face BertModel: word + position + token-type embeddings → LayerNorm, then post-LN
         * blocks (x = LN1(x + Attn(x)) with the padding mask; x = LN2(x + FFN(x))); the output is
         * last_hidden_state.
         */
        BERT_ENCODER
    }

    public TransformerConfig {
        if (layout == null) throw new IllegalArgumentException("layout must be given");
        positive("vocab", vocab);
        positive("maxPositions", maxPositions);
        positive("width", width);
        positive("layers", layers);
        positive("heads", heads);
        positive("ffn", ffn);
        if (width % heads != 0) throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
        if (layout == Layout.BERT_ENCODER) {
            positive("typeVocab", typeVocab);
        } else if (typeVocab != 0) {
            throw new IllegalArgumentException("the decoder has no token types, got typeVocab " + typeVocab);
        }
        if (!(lnEps > 0) || Double.isInfinite(lnEps)) throw new IllegalArgumentException("lnEps must be positive, got " + lnEps);
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    /** A BERT encoder, e.g. all-MiniLM-L6-v2: {@code bert(30522, 512, 2, 384, 6, 12, 1536, 1e-12)}. */
    public static TransformerConfig bert(int vocab, int maxPositions, int typeVocab, int hidden, int layers, int heads, int ffn,
                                         double lnEps) {
        return new TransformerConfig(Layout.BERT_ENCODER, vocab, maxPositions, typeVocab, hidden, layers, heads, ffn, lnEps);
    }

    /** The causal LM of {@code transformer-lm}: FFN 4·width, LayerNorm eps 1e-5. */
    public static TransformerConfig causalLm(int vocab, int context, int width, int layers, int heads) {
        return new TransformerConfig(Layout.CAUSAL_DECODER, vocab, context, 0, width, layers, heads, 4 * width, 1e-5);
    }

    public boolean isEncoder() {
        return layout == Layout.BERT_ENCODER;
    }

    public int headWidth() {
        return width / heads;
    }
}
