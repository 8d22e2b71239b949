package onebyte.core.model;

import onebyte.core.data.Batch;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.Exp;
import onebyte.core.model.transformer.ParameterLayout;
import onebyte.core.model.transformer.Transformer;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.core.model.transformer.Weights;
import onebyte.core.perturbation.PerturbedSlices;
import onebyte.core.tensor.ParameterVector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code transformer-lm}: a decoder-only byte-level language model, the causal decoder of
 * {@link Transformer} (pre-LN GPT blocks: x += Attn(LN1(x)) with the causal mask, x += MLP(LN2(x)),
 * MLP = erf-GELU 4×width; final LayerNorm, eps 1e-5, and a linear head). Loss = mean next-token
 * cross-entropy over all B·T positions (nats); accuracy = next-token argmax accuracy. Inputs and
 * labels are token ids [B, T] (T ≤ context).
 *
 * <p>Flattening order ({@link #tensors()}, see {@link ParameterLayout}): {@code tok_emb} [vocab,
 * width], {@code pos_emb} [context, width], then per block l: {@code block<l>.ln1.gain/bias}
 * [width], {@code attn.q/k/v/out.weight} [width, width] each followed by its {@code .bias} [width],
 * {@code ln2.gain/bias}, {@code mlp.up.weight} [width, 4·width], {@code mlp.up.bias}, {@code
 * mlp.down.weight} [4·width, width], {@code mlp.down.bias}; then {@code ln_f.gain/bias} and {@code
 * head.weight} [width, vocab], {@code head.bias} [vocab]. Matrices are row-major and used as x·W.
 *
 * <p>θ is read in place by every pass (never copied, never written). Both SPSA points
 * ({@link SymmetricPerturbedLoss}) run in one pass over θ in slices ({@link PerturbedSlices}): z is
 * generated once, each slice of θ ± εz is consumed by both points' activations as it is built
 * (vectors whole, matrices in blocks of whole rows of about {@link DenseClassifier#defaultSliceElements}
 * elements, so the losses do not depend on the thread count). Memory on top of θ: the slice buffers
 * and two inference activation sets (see {@code Activations}).
 */
final class TransformerLm extends TransformerModel {
    private final ModelSpec spec;
    private final Transformer decoder;
    /** dL/dlogits of the gradient pass, kept between calls. */
    private DenseBuffer dLogits;
    /** One row of logits for the float32 cross-entropy and the accuracy, kept between calls. */
    private float[] rowScratch = new float[0];

    TransformerLm(ModelSpec spec) {
        this(spec, new Transformer(TransformerConfig.causalLm(spec.vocab(), spec.context(), spec.width(), spec.layers(), spec.heads())));
    }

    private TransformerLm(ModelSpec spec, Transformer decoder) {
        super(decoder.tensors().stream().map(t -> new TensorShape(t.name(), t.shape(), t.offset(), t.length())).toList(),
                decoder.layout().sliceLengths(DenseClassifier.defaultSliceElements(decoder.numParams())));
        this.spec = spec;
        this.decoder = decoder;
    }

    @Override
    public int numParams() {
        return decoder.numParams();
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        Tokens x = tokens(batch);
        return accuracy(decoder.forward(theta(params), 0, x.inputs, null, x.batch, x.len), x.targets);
    }

    /**
     * The loss and the accuracy of one forward pass: the same bits as {@link #loss} and
     * {@link #accuracy} (a whole-set evaluation needs both; this halves its cost).
     */
    public Evaluation evaluate(ParameterVector params, Batch batch) {
        Tokens x = tokens(batch);
        DenseBuffer logits = decoder.forward(theta(params), 0, x.inputs, null, x.batch, x.len);
        return new Evaluation(crossEntropy(logits, x.targets, null), accuracy(logits, x.targets));
    }

    /** Next-token argmax accuracy of logits [N, vocab] (the first maximum wins a tie). */
    private double accuracy(DenseBuffer logits, int[] targets) {
        int v = spec.vocab();
        if (rowScratch.length < v) rowScratch = new float[v];
        float[] row = rowScratch;
        int correct = 0;
        for (int n = 0; n < targets.length; n++) {
            logits.read(n * v, row, 0, v);
            int best = 0;
            for (int j = 1; j < v; j++) if (row[j] > row[best]) best = j;
            if (best == targets[n]) correct++;
        }
        return (double) correct / targets.length;
    }

    @Override
    Losses perturbedLosses(Weights w, Batch batch) {
        Tokens x = tokens(batch);
        DenseBuffer[] logits = decoder.forward(w, 2, x.inputs, null, x.batch, x.len);
        return new Losses(crossEntropy(logits[0], x.targets, null), crossEntropy(logits[1], x.targets, null));
    }

    /** The loss at θ (float32 or float64, for the gradient check). */
    @Override
    double lossAt(DenseBuffer theta, Batch batch) {
        Tokens x = tokens(batch);
        return crossEntropy(decoder.forward(theta, 0, x.inputs, null, x.batch, x.len), x.targets, null);
    }

    /** Logits [B·T, vocab] at θ (row b·T + t is position t of sequence b); valid until the next call. */
    DenseBuffer logitsAt(DenseBuffer theta, Batch batch) {
        Tokens x = tokens(batch);
        return decoder.forward(theta, 0, x.inputs, null, x.batch, x.len);
    }

    @Override
    double lossAndGradientAt(DenseBuffer theta, Batch batch, DenseBuffer grad) {
        Tokens x = tokens(batch);
        DenseBuffer logits = decoder.forwardTraced(theta, 0, x.inputs, null, x.batch, x.len);
        int n = x.targets.length * spec.vocab();
        if (dLogits == null || dLogits.length() != n || dLogits.isDouble() != theta.isDouble()) {
            dLogits = null;
            dLogits = theta.like(n);
        }
        double loss = crossEntropy(logits, x.targets, dLogits);
        decoder.backward(theta, 0, dLogits, grad, 0);
        return loss;
    }

    /**
     * Mean softmax cross-entropy of logits [N, vocab] against targets (log-sum-exp, the sum and the
     * mean in double; float32 logits take e^x from {@link Exp#negative}, float64 from
     * {@link Math#exp}). When {@code dLogits} is given, writes d(mean loss)/d(logits) =
     * (softmax − onehot) / N into it.
     */
    private double crossEntropy(DenseBuffer logits, int[] targets, DenseBuffer dLogits) {
        return logits.isDouble() ? crossEntropy64(logits, targets, dLogits) : crossEntropy32(logits, targets, dLogits);
    }

    private double crossEntropy32(DenseBuffer logits, int[] targets, DenseBuffer dLogits) {
        int v = spec.vocab();
        int rows = targets.length;
        if (rowScratch.length < v) rowScratch = new float[v];
        float[] row = rowScratch;
        double total = 0;
        for (int n = 0; n < rows; n++) {
            int o = n * v;
            logits.read(o, row, 0, v);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, row[j]);
            double target = row[targets[n]] - max;
            for (int j = 0; j < v; j++) row[j] = Exp.negative(row[j] - max);
            double sum = 0;
            for (int j = 0; j < v; j++) sum += row[j];
            total += Math.log(sum) - target;
            if (dLogits != null) {
                float scale = (float) (1 / (sum * rows));
                for (int j = 0; j < v; j++) row[j] *= scale;
                row[targets[n]] -= 1f / rows;
                dLogits.write(o, row, 0, v);
            }
        }
        return total / rows;
    }

    private double crossEntropy64(DenseBuffer logits, int[] targets, DenseBuffer dLogits) {
        int v = spec.vocab();
        int rows = targets.length;
        double[] row = new double[v];
        double total = 0;
        for (int n = 0; n < rows; n++) {
            int o = n * v;
            logits.read(o, row, 0, v);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, row[j]);
            double target = row[targets[n]] - max;
            double sum = 0;
            for (int j = 0; j < v; j++) {
                row[j] = Math.exp(row[j] - max);
                sum += row[j];
            }
            total += Math.log(sum) - target;
            if (dLogits != null) {
                for (int j = 0; j < v; j++) row[j] = row[j] / sum / rows;
                row[targets[n]] -= 1.0 / rows;
                dLogits.write(o, row, 0, v);
            }
        }
        return total / rows;
    }

    /** Token ids of a batch: inputs and next-token targets, [B, T] flattened. */
    private record Tokens(int[] inputs, int[] targets, int batch, int len) {}

    private Tokens tokens(Batch batch) {
        INDArray x = batch.inputs();
        if (x.rank() != 2 || x.size(1) > spec.context() || x.size(1) < 1) {
            throw new IllegalArgumentException("expected token ids [B, T] with 1 ≤ T ≤ " + spec.context()
                    + ", got " + java.util.Arrays.toString(x.shape()));
        }
        if (!java.util.Arrays.equals(x.shape(), batch.labels().shape())) {
            throw new IllegalArgumentException("labels must be [B, T] like the inputs");
        }
        int[] in = x.castTo(DataType.INT32).reshape(x.length()).toIntVector();
        int[] out = batch.labels().castTo(DataType.INT32).reshape(x.length()).toIntVector();
        for (int y : out) {
            if (y < 0 || y >= spec.vocab()) throw new IllegalArgumentException("target " + y + " outside [0, " + spec.vocab() + ")");
        }
        return new Tokens(in, out, (int) x.size(0), (int) x.size(1));
    }
}
