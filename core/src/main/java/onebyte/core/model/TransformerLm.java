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
    /** One row of logits for the float32 cross-entropy of the gradient pass, kept between calls. */
    private float[] rowScratch = new float[0];
    /** The inference passes, in sub-batches on up to two threads. */
    private final LmLanes lanes;

    TransformerLm(ModelSpec spec) {
        this(spec, new Transformer(TransformerConfig.causalLm(spec.vocab(), spec.context(), spec.width(), spec.layers(), spec.heads())));
    }

    private TransformerLm(ModelSpec spec, Transformer decoder) {
        super(decoder.tensors().stream().map(t -> new TensorShape(t.name(), t.shape(), t.offset(), t.length())).toList(),
                decoder.layout().sliceLengths(DenseClassifier.defaultSliceElements(decoder.numParams())));
        this.spec = spec;
        this.decoder = decoder;
        this.lanes = new LmLanes(decoder);
    }

    @Override
    public int numParams() {
        return decoder.numParams();
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        return evaluate(params, batch).accuracy();
    }

    /**
     * The loss and the accuracy of one forward pass: the same bits as {@link #loss} and
     * {@link #accuracy} (a whole-set evaluation needs both; this halves its cost).
     */
    public Evaluation evaluate(ParameterVector params, Batch batch) {
        return evaluateAt(theta(params), tokens(batch));
    }

    /**
     * Loss and accuracy at θ: per-row losses summed in row order, in sub-batches on up to two
     * threads ({@link LmLanes}); a batch of at most {@link LmLanes#SUB_BATCH} sequences is one pass.
     */
    private Evaluation evaluateAt(DenseBuffer theta, Tokens x) {
        int rows = x.targets.length;
        double[] rowLoss = new double[rows];
        int correct = lanes.run(theta, x.inputs, x.batch, x.len, rowLoss, (logits, first, n, out, scratch) ->
                score(logits, x.targets, first, n, out, scratch), spec.vocab());
        double total = 0;
        for (double l : rowLoss) total += l;
        return new Evaluation(total / rows, (double) correct / rows);
    }

    /** Rows [first, first + n) of the batch from logits [n, vocab]: their losses into rowLoss, the count of correct argmax predictions (the first maximum wins a tie). */
    private int score(DenseBuffer logits, int[] targets, int first, int n, double[] rowLoss, float[] scratch) {
        int v = spec.vocab();
        int correct = 0;
        double[] wide = logits.isDouble() ? new double[v] : null;
        for (int r = 0; r < n; r++) {
            int target = targets[first + r];
            int best = 0;
            if (wide != null) {
                logits.read(r * v, wide, 0, v);
                for (int j = 1; j < v; j++) if (wide[j] > wide[best]) best = j;
                rowLoss[first + r] = rowTerm(wide, target, v);
            } else {
                logits.read(r * v, scratch, 0, v);
                for (int j = 1; j < v; j++) if (scratch[j] > scratch[best]) best = j;
                rowLoss[first + r] = rowTerm(scratch, target, v);
            }
            if (best == target) correct++;
        }
        return correct;
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
        return evaluateAt(theta, tokens(batch)).loss();
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
     * Mean softmax cross-entropy of logits [N, vocab] against targets, the same per-row terms summed
     * in the same order as {@link #evaluateAt}. When {@code dLogits} is given (the gradient pass),
     * writes d(mean loss)/d(logits) = (softmax − onehot) / N into it.
     */
    private double crossEntropy(DenseBuffer logits, int[] targets, DenseBuffer dLogits) {
        int v = spec.vocab();
        int rows = targets.length;
        boolean wide = logits.isDouble();
        if (rowScratch.length < v) rowScratch = new float[v];
        float[] row = rowScratch;
        double[] rowD = wide ? new double[v] : null;
        double total = 0;
        for (int n = 0; n < rows; n++) {
            int o = n * v;
            if (wide) {
                logits.read(o, rowD, 0, v);
                total += rowTerm(rowD, targets[n], v);
            } else {
                logits.read(o, row, 0, v);
                total += rowTerm(row, targets[n], v);
            }
            if (dLogits == null) continue;
            double sum = 0; // the same sum as rowTerm's, over the e^(l − max) it left in the row
            if (wide) {
                for (int j = 0; j < v; j++) sum += rowD[j];
                for (int j = 0; j < v; j++) rowD[j] = rowD[j] / sum / rows;
                rowD[targets[n]] -= 1.0 / rows;
                dLogits.write(o, rowD, 0, v);
            } else {
                for (int j = 0; j < v; j++) sum += row[j];
                float scale = (float) (1 / (sum * rows));
                for (int j = 0; j < v; j++) row[j] *= scale;
                row[targets[n]] -= 1f / rows;
                dLogits.write(o, row, 0, v);
            }
        }
        return total / rows;
    }

    /**
     * The loss of one float32 row, log Σ e^(l − max) − (l_target − max), e^x from {@link Exp#negative},
     * the sum in double; leaves e^(l − max) in {@code row}.
     */
    private static double rowTerm(float[] row, int target, int v) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) max = Math.max(max, row[j]);
        double t = row[target] - max;
        for (int j = 0; j < v; j++) row[j] = Exp.negative(row[j] - max);
        double sum = 0;
        for (int j = 0; j < v; j++) sum += row[j];
        return Math.log(sum) - t;
    }

    /** The loss of one float64 row ({@link Math#exp}); leaves e^(l − max) in {@code row}. */
    private static double rowTerm(double[] row, int target, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) max = Math.max(max, row[j]);
        double t = row[target] - max;
        double sum = 0;
        for (int j = 0; j < v; j++) {
            row[j] = Math.exp(row[j] - max);
            sum += row[j];
        }
        return Math.log(sum) - t;
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
