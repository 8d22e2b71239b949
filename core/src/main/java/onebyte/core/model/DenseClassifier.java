package onebyte.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.spsa.ParameterVector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code logreg} (no hidden layer) and {@code mlp}: dense layers {@code h ← act(h·W + b)} with a
 * softmax cross-entropy head. Forward and backward are written by hand with ND4J matrix products.
 *
 * <p>Flattening order: for each layer l = 0..L−1, {@code layer<l>.weight} [in, out] row-major, then
 * {@code layer<l>.bias} [out]. Weights are views of the flat vector (no copy of θ per evaluation).
 *
 * <p>The computation runs in the data type of the flat array it is given, so the package-private
 * {@code *At(INDArray, ...)} methods also work on a float64 copy of θ (used by the gradient check).
 */
final class DenseClassifier implements Model {
    private final int[] sizes;
    private final boolean tanh;
    private final List<TensorShape> tensors;
    private final int numParams;

    DenseClassifier(ModelSpec spec) {
        List<Integer> s = new ArrayList<>();
        s.add(spec.inputs());
        s.addAll(spec.hidden());
        s.add(spec.classes());
        this.sizes = s.stream().mapToInt(Integer::intValue).toArray();
        this.tanh = spec.activation().equals("tanh");
        List<TensorShape> t = new ArrayList<>();
        long off = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            long w = (long) sizes[l] * sizes[l + 1];
            t.add(new TensorShape("layer" + l + ".weight", new long[] {sizes[l], sizes[l + 1]}, off, w));
            off += w;
            t.add(new TensorShape("layer" + l + ".bias", new long[] {sizes[l + 1]}, off, sizes[l + 1]));
            off += sizes[l + 1];
        }
        if (off > Integer.MAX_VALUE) throw new IllegalArgumentException("model too large: " + off + " parameters");
        this.tensors = Collections.unmodifiableList(t);
        this.numParams = (int) off;
    }

    @Override
    public int numParams() {
        return numParams;
    }

    @Override
    public List<TensorShape> tensors() {
        return tensors;
    }

    @Override
    public double loss(ParameterVector params, Batch batch) {
        return lossAt(check(params), batch);
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        INDArray logits = forward(check(params), batch, null);
        long[] pred = logits.argMax(1).toLongVector();
        int[] y = labels(batch);
        int correct = 0;
        for (int i = 0; i < y.length; i++) if (pred[i] == y[i]) correct++;
        return (double) correct / y.length;
    }

    @Override
    public double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut) {
        if (gradOut.length() != numParams) {
            throw new IllegalArgumentException("gradient length " + gradOut.length() + " != " + numParams);
        }
        return lossAndGradientAt(check(params), batch, gradOut.array());
    }

    private INDArray check(ParameterVector params) {
        if (params.length() != numParams) {
            throw new IllegalArgumentException("parameter length " + params.length() + " != " + numParams);
        }
        return params.array();
    }

    double lossAt(INDArray flat, Batch batch) {
        INDArray logits = forward(flat, batch, null);
        return crossEntropy(logits, labels(batch), null);
    }

    double lossAndGradientAt(INDArray flat, Batch batch, INDArray gradFlat) {
        List<INDArray> acts = new ArrayList<>();
        INDArray logits = forward(flat, batch, acts);
        int[] y = labels(batch);
        INDArray dz = logits.ulike();
        double loss = crossEntropy(logits, y, dz);
        for (int l = sizes.length - 2; l >= 0; l--) {
            INDArray h = acts.get(l);
            view(gradFlat, 2 * l).assign(h.transpose().mmul(dz));
            view(gradFlat, 2 * l + 1).assign(dz.sum(0));
            if (l > 0) {
                INDArray dh = dz.mmul(view(flat, 2 * l).transpose());
                INDArray deriv = tanh ? h.mul(h).rsubi(1.0) : h.gt(0.0).castTo(h.dataType());
                dz = dh.muli(deriv);
            }
        }
        return loss;
    }

    /** Logits [B, classes]. When {@code acts} is given, collects the input of every layer. */
    private INDArray forward(INDArray flat, Batch batch, List<INDArray> acts) {
        INDArray x = batch.inputs();
        if (x.rank() != 2 || x.size(1) != sizes[0]) {
            throw new IllegalArgumentException("expected inputs [B, " + sizes[0] + "], got " + java.util.Arrays.toString(x.shape()));
        }
        INDArray h = x.dataType() == flat.dataType() ? x : x.castTo(flat.dataType());
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            if (acts != null) acts.add(h);
            INDArray z = h.mmul(view(flat, 2 * l)).addiRowVector(view(flat, 2 * l + 1));
            if (l + 1 < layers) {
                h = tanh ? Transforms.tanh(z, false) : Transforms.relu(z, false);
            } else {
                h = z;
            }
        }
        return h;
    }

    private INDArray view(INDArray flat, int tensor) {
        TensorShape t = tensors.get(tensor);
        INDArray v = flat.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length()));
        return t.shape().length == 1 ? v : v.reshape('c', t.shape());
    }

    static int[] labels(Batch batch) {
        return batch.labels().castTo(DataType.INT32).toIntVector();
    }

    /**
     * Mean softmax cross-entropy of logits [B, C] against class indices y. When {@code dLogits} is
     * given, writes d(mean loss)/d(logits) = (softmax − onehot) / B into it.
     */
    static double crossEntropy(INDArray logits, int[] y, INDArray dLogits) {
        int b = (int) logits.size(0);
        int c = (int) logits.size(1);
        if (y.length != b) throw new IllegalArgumentException("labels " + y.length + " != batch " + b);
        INDArray max = logits.max(true, 1);
        INDArray shifted = logits.subColumnVector(max);
        INDArray exp = Transforms.exp(shifted, true);
        INDArray sum = exp.sum(true, 1);
        double[] logSum = Transforms.log(sum, true).castTo(DataType.DOUBLE).toDoubleVector();
        double total = 0;
        for (int i = 0; i < b; i++) {
            if (y[i] < 0 || y[i] >= c) throw new IllegalArgumentException("label " + y[i] + " outside [0, " + c + ")");
            total += logSum[i] - shifted.getDouble(i, y[i]);
        }
        if (dLogits != null) {
            dLogits.assign(exp.diviColumnVector(sum));
            for (int i = 0; i < b; i++) dLogits.putScalar(i, y[i], dLogits.getDouble(i, y[i]) - 1.0);
            dLogits.divi(b);
        }
        return total / b;
    }
}
