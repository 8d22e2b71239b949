package onebyte.core.bert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a BERT encoder under Hugging Face's parameter names, in Hugging Face's
 * state-dict order ({@link #names}). Every linear layer's {@code .weight} is stored as the ONNX
 * file holds it, [in, out] row-major (y = x·W + b), i.e. the transpose of PyTorch's [out, in].
 */
public final class BertWeights {
    private final BertConfig config;
    private final Map<String, Tensor> tensors;

    /** One named float32 tensor, row-major. */
    public record Tensor(String name, long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) n *= d;
            if (n != data.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                        + " values, got " + data.length);
            }
        }
    }

    /**
     * @param tensors every tensor {@link #names}(config) lists, with the shape {@link #shape} gives
     */
    public BertWeights(BertConfig config, Map<String, Tensor> tensors) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : names(config)) {
            Tensor t = tensors.get(name);
            if (t == null) throw new IllegalArgumentException("no tensor " + name);
            if (!Arrays.equals(t.shape(), shape(config, name))) {
                throw new IllegalArgumentException(name + " has shape " + Arrays.toString(t.shape()) + ", expected "
                        + Arrays.toString(shape(config, name)));
            }
            ordered.put(name, t);
        }
        if (tensors.size() != ordered.size()) {
            List<String> extra = new ArrayList<>(tensors.keySet());
            extra.removeAll(ordered.keySet());
            throw new IllegalArgumentException("tensors that are not part of a BERT encoder: " + extra);
        }
        this.config = config;
        this.tensors = Collections.unmodifiableMap(ordered);
    }

    public BertConfig config() {
        return config;
    }

    /** The tensor of this name (one of {@link #names}). */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        return t;
    }

    /** All tensors in {@link #names} order. */
    public List<Tensor> all() {
        return List.copyOf(tensors.values());
    }

    /** Total number of float32 values; equals {@link BertConfig#numParams()}. */
    public long numParams() {
        long n = 0;
        for (Tensor t : tensors.values()) n += t.data().length;
        return n;
    }

    /** The six linear layers of block l, in the order the block applies them. */
    public static List<String> linearLayers(int l) {
        String p = "encoder.layer." + l + ".";
        return List.of(p + "attention.self.query", p + "attention.self.key", p + "attention.self.value",
                p + "attention.output.dense", p + "intermediate.dense", p + "output.dense");
    }

    /** Hugging Face's BertModel parameter names (without the pooler), in its state-dict order. */
    public static List<String> names(BertConfig c) {
        List<String> names = new ArrayList<>(List.of(
                "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int l = 0; l < c.layers(); l++) {
            List<String> linear = linearLayers(l);
            String p = "encoder.layer." + l + ".";
            for (int i = 0; i < 4; i++) {
                names.add(linear.get(i) + ".weight");
                names.add(linear.get(i) + ".bias");
            }
            names.add(p + "attention.output.LayerNorm.weight");
            names.add(p + "attention.output.LayerNorm.bias");
            for (int i = 4; i < 6; i++) {
                names.add(linear.get(i) + ".weight");
                names.add(linear.get(i) + ".bias");
            }
            names.add(p + "output.LayerNorm.weight");
            names.add(p + "output.LayerNorm.bias");
        }
        return names;
    }

    /** The shape tensor {@code name} has in a {@code c}-shaped encoder ([in, out] for linear weights). */
    public static long[] shape(BertConfig c, String name) {
        long h = c.hidden(), f = c.intermediate();
        return switch (name) {
            case "embeddings.word_embeddings.weight" -> new long[] {c.vocab(), h};
            case "embeddings.position_embeddings.weight" -> new long[] {c.maxPositions(), h};
            case "embeddings.token_type_embeddings.weight" -> new long[] {c.typeVocab(), h};
            default -> {
                if (name.endsWith("intermediate.dense.weight")) yield new long[] {h, f};
                if (name.endsWith("intermediate.dense.bias")) yield new long[] {f};
                if (name.endsWith("output.dense.weight") && !name.contains("attention")) yield new long[] {f, h};
                if (name.endsWith(".weight") && !name.contains("LayerNorm")) yield new long[] {h, h};
                yield new long[] {h};
            }
        };
    }
}
