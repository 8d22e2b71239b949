package onebyte.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.ParameterLayout;
import onebyte.core.model.transformer.Transformer;
import onebyte.core.model.transformer.TransformerConfig;
import onebyte.core.model.transformer.Weights;
import onebyte.core.perturbation.PerturbedSlices;
import onebyte.core.tensor.ParameterVector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A text classifier on a BERT encoder ({@code minilm}: all-MiniLM-L6-v2): the post-LN encoder of
 * {@link Transformer}, mean pooling of last_hidden_state over the unpadded tokens (as
 * sentence-transformers pools: Σ_t mask·h / Σ_t mask), then a linear head to class logits. Loss =
 * mean softmax cross-entropy (nats), accuracy = argmax accuracy. Inputs: token ids [B, T] as
 * float32, 0 = [PAD] (T ≤ the encoder's positions); labels: class ids [B]. Token types are all 0.
 *
 * <p>Flattening order ({@link #tensors()}): the whole encoder first, embeddings included, in
 * {@link ParameterLayout}'s order (Hugging Face's names and state-dict order, linear weights
 * [in, out]), then {@code head.weight} [hidden, classes] and {@code head.bias} [classes]. For
 * all-MiniLM-L6-v2 with C classes d = 22,565,376 + 385·C.
 *
 * <p>θ is read in place by every pass (never copied, never written). Both SPSA points run in one
 * pass over θ in slices ({@link PerturbedSlices}; z drawn once, vectors whole, matrices in whole
 * rows), so the losses do not depend on the thread count.
 */
final class BertClassifier extends TransformerModel {
    private final Transformer encoder;
    private final int hidden;
    private final int classes;
    private final int headOffset;
    /** dL/d(last_hidden_state) of the gradient pass, kept between calls. */
    private DenseBuffer dHidden;

    BertClassifier(TransformerConfig config, int classes) {
        this(encoder(config, classes), classes);
    }

    private BertClassifier(Transformer encoder, int classes) {
        super(tensors(encoder, classes), sliceLengths(encoder, classes));
        this.encoder = encoder;
        this.hidden = encoder.config().width();
        this.classes = classes;
        this.headOffset = encoder.numParams();
    }

    private static Transformer encoder(TransformerConfig config, int classes) {
        if (!config.isEncoder()) throw new IllegalArgumentException("BertClassifier needs a BERT encoder config, got " + config.layout());
        if (classes < 2) throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        return new Transformer(config);
    }

    /** The encoder's tensors, then head.weight [hidden, classes] and head.bias [classes]. */
    private static List<TensorShape> tensors(Transformer encoder, int classes) {
        int hidden = encoder.config().width();
        long head = encoder.numParams();
        List<TensorShape> t = new ArrayList<>();
        for (ParameterLayout.Tensor e : encoder.tensors()) t.add(new TensorShape(e.name(), e.shape(), e.offset(), e.length()));
        t.add(new TensorShape("head.weight", new long[] {hidden, classes}, head, (long) hidden * classes));
        t.add(new TensorShape("head.bias", new long[] {classes}, head + (long) hidden * classes, classes));
        return t;
    }

    /** The encoder's slices, then the head's weight and bias whole. */
    private static int[] sliceLengths(Transformer encoder, int classes) {
        int[] enc = encoder.layout().sliceLengths(DenseClassifier.defaultSliceElements(encoder.numParams()));
        int[] out = Arrays.copyOf(enc, enc.length + 2);
        out[enc.length] = encoder.config().width() * classes;
        out[enc.length + 1] = classes;
        return out;
    }

    TransformerConfig config() {
        return encoder.config();
    }

    @Override
    public int numParams() {
        return headOffset + hidden * classes + classes;
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        return evaluate(params, batch).accuracy();
    }

    /** One forward pass for both (the loss and the accuracy {@link #loss} and {@link #accuracy} give, bit for bit). */
    @Override
    public Evaluation evaluate(ParameterVector params, Batch batch) {
        Tokens x = tokens(batch);
        DenseBuffer theta = theta(params);
        double[] logits = logits(pool(encoder.forward(theta, 0, x.ids, null, x.batch, x.len), x),
                theta.view(headOffset, hidden * classes), theta.view(headOffset + hidden * classes, classes), x.batch);
        int correct = 0;
        for (int b = 0; b < x.batch; b++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (logits[b * classes + c] > logits[b * classes + best]) best = c;
            if (best == x.labels[b]) correct++;
        }
        return new Evaluation(crossEntropy(logits, x.labels, null), (double) correct / x.batch);
    }

    /** Tokens of one evaluation pass: {@value #EVAL_TOKENS} (32 rows at 64 tokens, 16 at 128). */
    @Override
    public int evaluationChunk(onebyte.core.data.Dataset data) {
        if (data.size() == 0) return 1;
        long t = data.batch(new int[] {0}).inputs().size(1);
        return (int) Math.max(1, EVAL_TOKENS / t);
    }

    static final int EVAL_TOKENS = 2048;

    /** Where the head starts in θ: head.weight [hidden, classes], then head.bias [classes]. */
    int headOffset() {
        return headOffset;
    }

    int hidden() {
        return hidden;
    }

    int classes() {
        return classes;
    }

    @Override
    Losses perturbedLosses(Weights w, Batch batch) {
        Tokens x = tokens(batch);
        DenseBuffer[] h = encoder.forward(w, 2, x.ids, null, x.batch, x.len);
        double[] pooledPlus = pool(h[0], x);
        double[] pooledMinus = pool(h[1], x);
        w.next();
        double[] plus = new double[x.batch * classes];
        double[] minus = new double[x.batch * classes];
        project(pooledPlus, w.at(0), plus, x.batch);
        project(pooledMinus, w.at(1), minus, x.batch);
        w.next();
        addBias(plus, w.at(0), x.batch);
        addBias(minus, w.at(1), x.batch);
        return new Losses(crossEntropy(plus, x.labels, null), crossEntropy(minus, x.labels, null));
    }

    /** The loss at θ (float32, or float64 for the gradient check). */
    @Override
    double lossAt(DenseBuffer theta, Batch batch) {
        Tokens x = tokens(batch);
        double[] pooled = pool(encoder.forward(theta, 0, x.ids, null, x.batch, x.len), x);
        return crossEntropy(logits(pooled, theta.view(headOffset, hidden * classes),
                theta.view(headOffset + hidden * classes, classes), x.batch), x.labels, null);
    }

    /** Mean-pooled last_hidden_state [B, hidden] at θ. */
    double[] embeddingsAt(DenseBuffer theta, Batch batch) {
        Tokens x = tokens(batch);
        return pool(encoder.forward(theta, 0, x.ids, null, x.batch, x.len), x);
    }

    @Override
    double lossAndGradientAt(DenseBuffer theta, Batch batch, DenseBuffer grad) {
        Tokens x = tokens(batch);
        int wLen = hidden * classes;
        DenseBuffer headW = theta.view(headOffset, wLen);
        DenseBuffer h = encoder.forwardTraced(theta, 0, x.ids, null, x.batch, x.len);
        double[] pooled = pool(h, x);
        double[] logits = logits(pooled, headW, theta.view(headOffset + wLen, classes), x.batch);
        double[] dLogits = new double[logits.length];
        double loss = crossEntropy(logits, x.labels, dLogits);
        // head: dW = pooledᵀ·dLogits, db = Σ_b dLogits, dPooled = dLogits·Wᵀ
        double[] dPooled = new double[x.batch * hidden];
        for (int j = 0; j < hidden; j++) {
            for (int c = 0; c < classes; c++) {
                double g = 0;
                for (int b = 0; b < x.batch; b++) g += pooled[b * hidden + j] * dLogits[b * classes + c];
                grad.set(headOffset + j * classes + c, g);
                double wjc = headW.get(j * classes + c);
                for (int b = 0; b < x.batch; b++) dPooled[b * hidden + j] += dLogits[b * classes + c] * wjc;
            }
        }
        for (int c = 0; c < classes; c++) {
            double g = 0;
            for (int b = 0; b < x.batch; b++) g += dLogits[b * classes + c];
            grad.set(headOffset + wLen + c, g);
        }
        // mean pooling: each unpadded row of sequence b gets dPooled[b] / (its unpadded count); padded rows 0
        int n = x.batch * x.len * hidden;
        if (dHidden == null || dHidden.length() != n || dHidden.isDouble() != theta.isDouble()) {
            dHidden = null;
            dHidden = theta.like(n);
        }
        double[] row = new double[hidden];
        for (int b = 0; b < x.batch; b++) {
            for (int j = 0; j < hidden; j++) row[j] = dPooled[b * hidden + j] / x.counts[b];
            for (int t = 0; t < x.len; t++) {
                int at = (b * x.len + t) * hidden;
                if (x.ids[b * x.len + t] == 0) dHidden.fill(at, hidden, 0);
                else dHidden.write(at, row, 0, hidden);
            }
        }
        encoder.backward(theta, 0, dHidden, grad, 0);
        return loss;
    }

    /** Σ_t mask·h / max(Σ_t mask, 1): mean over the sequence's non-[PAD] rows (a sequence of padding only pools to 0). */
    private double[] pool(DenseBuffer h, Tokens x) {
        double[] pooled = new double[x.batch * hidden];
        double[] row = new double[hidden];
        for (int b = 0; b < x.batch; b++) {
            for (int t = 0; t < x.len; t++) {
                if (x.ids[b * x.len + t] == 0) continue;
                h.read((b * x.len + t) * hidden, row, 0, hidden);
                for (int j = 0; j < hidden; j++) pooled[b * hidden + j] += row[j];
            }
            for (int j = 0; j < hidden; j++) pooled[b * hidden + j] /= x.counts[b];
        }
        return pooled;
    }

    private double[] logits(double[] pooled, DenseBuffer w, DenseBuffer bias, int batch) {
        double[] out = new double[batch * classes];
        project(pooled, w, out, batch);
        addBias(out, bias, batch);
        return out;
    }

    private void project(double[] pooled, DenseBuffer w, double[] out, int batch) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                double p = pooled[b * hidden + j];
                for (int c = 0; c < classes; c++) out[b * classes + c] += p * w.get(j * classes + c);
            }
        }
    }

    private void addBias(double[] logits, DenseBuffer bias, int batch) {
        for (int b = 0; b < batch; b++) for (int c = 0; c < classes; c++) logits[b * classes + c] += bias.get(c);
    }

    /** Mean softmax cross-entropy over rows of logits [B, C]; with {@code dLogits}, writes (softmax − onehot)/B into it. */
    private double crossEntropy(double[] logits, int[] labels, double[] dLogits) {
        int rows = labels.length;
        double total = 0;
        for (int b = 0; b < rows; b++) {
            int o = b * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
            total += Math.log(sum) - (logits[o + labels[b]] - max);
            if (dLogits != null) {
                for (int c = 0; c < classes; c++) {
                    dLogits[o + c] = (Math.exp(logits[o + c] - max) / sum - (c == labels[b] ? 1 : 0)) / rows;
                }
            }
        }
        return total / rows;
    }


    /** A batch's token ids [B, T] flattened, class labels [B] and unpadded counts per sequence (at least 1). */
    private record Tokens(int[] ids, int[] labels, int[] counts, int batch, int len) {}

    private Tokens tokens(Batch batch) {
        INDArray x = batch.inputs();
        int positions = encoder.config().maxPositions();
        if (x.rank() != 2 || x.size(1) < 1 || x.size(1) > positions) {
            throw new IllegalArgumentException("expected token ids [B, T] with 1 ≤ T ≤ " + positions + ", got " + Arrays.toString(x.shape()));
        }
        int b = (int) x.size(0);
        int t = (int) x.size(1);
        if (batch.labels().length() != b) throw new IllegalArgumentException("expected " + b + " labels, got " + batch.labels().length());
        int[] ids = x.castTo(DataType.INT32).reshape(x.length()).toIntVector();
        int[] labels = batch.labels().castTo(DataType.INT32).reshape(b).toIntVector();
        int vocab = encoder.config().vocab();
        for (int id : ids) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " outside [0, " + vocab + ")");
        for (int y : labels) if (y < 0 || y >= classes) throw new IllegalArgumentException("label " + y + " outside [0, " + classes + ")");
        int[] counts = new int[b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) if (ids[i * t + j] != 0) counts[i]++;
            counts[i] = Math.max(1, counts[i]);
        }
        return new Tokens(ids, labels, counts, b, t);
    }
}
