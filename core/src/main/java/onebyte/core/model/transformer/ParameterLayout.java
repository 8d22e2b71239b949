package onebyte.core.model.transformer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The flat order of a transformer's parameters: the order its forward pass reads them. Matrices
 * are row-major [in, out] (used as x·W); embedding tables [rows, width].
 *
 * <p>BERT encoder (Hugging Face names): {@code embeddings.word_embeddings.weight} [vocab, H],
 * {@code embeddings.position_embeddings.weight} [maxPositions, H],
 * {@code embeddings.token_type_embeddings.weight} [typeVocab, H], {@code embeddings.LayerNorm.weight}
 * [H], {@code embeddings.LayerNorm.bias} [H]; then per layer i, prefix {@code encoder.layer.i.}:
 * {@code attention.self.query.weight} [H, H], {@code .query.bias} [H], {@code key}, {@code value}
 * likewise, {@code attention.output.dense.weight} [H, H], {@code .bias}, {@code
 * attention.output.LayerNorm.weight/bias} [H], {@code intermediate.dense.weight} [H, ffn], {@code
 * .bias} [ffn], {@code output.dense.weight} [ffn, H], {@code .bias} [H], {@code
 * output.LayerNorm.weight/bias} [H].
 *
 * <p>Causal decoder ({@code transformer-lm}'s names): {@code tok_emb} [vocab, H], {@code pos_emb}
 * [maxPositions, H]; per block l, prefix {@code block<l>.}: {@code ln1.gain/bias}, {@code
 * attn.q/k/v/out.weight} [H, H] each followed by its {@code .bias}, {@code ln2.gain/bias}, {@code
 * mlp.up.weight} [H, ffn], {@code mlp.up.bias}, {@code mlp.down.weight} [ffn, H], {@code
 * mlp.down.bias}; then {@code ln_f.gain/bias} and {@code head.weight} [H, vocab], {@code head.bias}.
 */
public final class ParameterLayout {
    /** Tensors per block, in both layouts. */
    static final int PER_BLOCK = 16;

    /** One tensor: elements [offset, offset + length) of the flat parameters, with this shape. */
    public record Tensor(String name, long[] shape, int offset, int length) {
        /** Elements per row (the last dimension). */
        public int columns() {
            return (int) shape[shape.length - 1];
        }
    }

    private final List<Tensor> tensors;
    private final int count;
    private final int embeddingTensors;

    ParameterLayout(TransformerConfig c) {
        List<Tensor> t = new ArrayList<>();
        long[] off = {0};
        java.util.function.BiConsumer<String, long[]> add = (name, shape) -> {
            long len = 1;
            for (long s : shape) len *= s;
            if (off[0] + len > Integer.MAX_VALUE) throw new IllegalArgumentException("model too large");
            t.add(new Tensor(name, shape, (int) off[0], (int) len));
            off[0] += len;
        };
        long h = c.width();
        long f = c.ffn();
        if (c.isEncoder()) {
            add.accept("embeddings.word_embeddings.weight", new long[] {c.vocab(), h});
            add.accept("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), h});
            add.accept("embeddings.token_type_embeddings.weight", new long[] {c.typeVocab(), h});
            add.accept("embeddings.LayerNorm.weight", new long[] {h});
            add.accept("embeddings.LayerNorm.bias", new long[] {h});
            for (int l = 0; l < c.layers(); l++) {
                String p = "encoder.layer." + l + ".";
                for (String m : new String[] {"query", "key", "value"}) {
                    add.accept(p + "attention.self." + m + ".weight", new long[] {h, h});
                    add.accept(p + "attention.self." + m + ".bias", new long[] {h});
                }
                add.accept(p + "attention.output.dense.weight", new long[] {h, h});
                add.accept(p + "attention.output.dense.bias", new long[] {h});
                add.accept(p + "attention.output.LayerNorm.weight", new long[] {h});
                add.accept(p + "attention.output.LayerNorm.bias", new long[] {h});
                add.accept(p + "intermediate.dense.weight", new long[] {h, f});
                add.accept(p + "intermediate.dense.bias", new long[] {f});
                add.accept(p + "output.dense.weight", new long[] {f, h});
                add.accept(p + "output.dense.bias", new long[] {h});
                add.accept(p + "output.LayerNorm.weight", new long[] {h});
                add.accept(p + "output.LayerNorm.bias", new long[] {h});
            }
        } else {
            add.accept("tok_emb", new long[] {c.vocab(), h});
            add.accept("pos_emb", new long[] {c.maxPositions(), h});
            for (int l = 0; l < c.layers(); l++) {
                String p = "block" + l + ".";
                add.accept(p + "ln1.gain", new long[] {h});
                add.accept(p + "ln1.bias", new long[] {h});
                for (String m : new String[] {"q", "k", "v", "out"}) {
                    add.accept(p + "attn." + m + ".weight", new long[] {h, h});
                    add.accept(p + "attn." + m + ".bias", new long[] {h});
                }
                add.accept(p + "ln2.gain", new long[] {h});
                add.accept(p + "ln2.bias", new long[] {h});
                add.accept(p + "mlp.up.weight", new long[] {h, f});
                add.accept(p + "mlp.up.bias", new long[] {f});
                add.accept(p + "mlp.down.weight", new long[] {f, h});
                add.accept(p + "mlp.down.bias", new long[] {h});
            }
            add.accept("ln_f.gain", new long[] {h});
            add.accept("ln_f.bias", new long[] {h});
            add.accept("head.weight", new long[] {h, c.vocab()});
            add.accept("head.bias", new long[] {c.vocab()});
        }
        this.tensors = Collections.unmodifiableList(t);
        this.count = (int) off[0];
        this.embeddingTensors = c.isEncoder() ? 5 : 2;
    }

    /** The tensors in flat order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The number of parameters. */
    public int size() {
        return count;
    }

    /** Every tensor's length, in flat order (the blocks of {@link Weights#inPlace}). */
    public int[] lengths() {
        return tensors.stream().mapToInt(Tensor::length).toArray();
    }

    /**
     * Blocks of a perturbed pass ({@link Weights#perturbed}): every vector tensor whole, every matrix
     * in blocks of whole rows of about {@code target} elements (at least one row).
     */
    public int[] sliceLengths(int target) {
        List<Integer> out = new ArrayList<>();
        for (Tensor t : tensors) {
            if (t.shape().length == 1) {
                out.add(t.length());
                continue;
            }
            int cols = t.columns();
            int rows = t.length() / cols;
            int step = Math.max(1, Math.min(rows, target / cols));
            for (int r0 = 0; r0 < rows; r0 += step) out.add(Math.min(step, rows - r0) * cols);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Index of block {@code layer}'s tensor {@code k} (0 ≤ k < {@link #PER_BLOCK}). */
    int blockTensor(int layer, int k) {
        return embeddingTensors + layer * PER_BLOCK + k;
    }

    Tensor get(int index) {
        return tensors.get(index);
    }
}
