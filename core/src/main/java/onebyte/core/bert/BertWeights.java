package onebyte.core.bert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.core.model.transformer.ParameterLayout;
import onebyte.core.model.transformer.Transformer;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.core.tensor.ParameterVector;

/**
 * The weights of a BERT encoder under Hugging Face's parameter names, checked against the
 * {@link Transformer} encoder's flat layout ({@link ParameterLayout}: the same names, Hugging
 * Face's state-dict order, linear weights [in, out] as the ONNX file holds them, the transpose of
 * PyTorch's [out, in]).
 */
public final class BertWeights {
    private final TransformerConfig config;
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

    /** @param tensors exactly the tensors of a {@code config}-shaped encoder, each of its shape */
    public BertWeights(TransformerConfig config, Map<String, Tensor> tensors) {
        if (!config.isEncoder()) throw new IllegalArgumentException("not a BERT encoder config: " + config);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (ParameterLayout.Tensor slot : new Transformer(config).tensors()) {
            Tensor t = tensors.get(slot.name());
            if (t == null) throw new IllegalArgumentException("no tensor " + slot.name());
            if (!Arrays.equals(t.shape(), slot.shape())) {
                throw new IllegalArgumentException(slot.name() + " has shape " + Arrays.toString(t.shape()) + ", expected "
                        + Arrays.toString(slot.shape()));
            }
            ordered.put(slot.name(), t);
        }
        if (tensors.size() != ordered.size()) {
            List<String> extra = new ArrayList<>(tensors.keySet());
            extra.removeAll(ordered.keySet());
            throw new IllegalArgumentException("tensors that are not part of a BERT encoder: " + extra);
        }
        this.config = config;
        this.tensors = Collections.unmodifiableMap(ordered);
    }

    public TransformerConfig config() {
        return config;
    }

    /** The tensor of this name. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        return t;
    }

    /** All tensors in flat order. */
    public List<Tensor> all() {
        return List.copyOf(tensors.values());
    }

    /** Total number of float32 values. */
    public long numParams() {
        long n = 0;
        for (Tensor t : tensors.values()) n += t.data().length;
        return n;
    }

    /** Writes the weights, concatenated in flat order, into θ from {@code offset} on. */
    public void copyInto(ParameterVector theta, int offset) {
        int at = offset;
        for (Tensor t : tensors.values()) {
            theta.put(at, t.data(), 0, t.data().length);
            at += t.data().length;
        }
    }

    /** The six linear layers of block l, in the order the block applies them. */
    public static List<String> linearLayers(int l) {
        String p = "encoder.layer." + l + ".";
        return List.of(p + "attention.self.query", p + "attention.self.key", p + "attention.self.value",
                p + "attention.output.dense", p + "intermediate.dense", p + "output.dense");
    }
}
