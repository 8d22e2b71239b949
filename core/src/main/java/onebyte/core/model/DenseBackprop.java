package onebyte.core.model;

import java.util.ArrayList;
import java.util.List;
import onebyte.core.data.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Training by gradient of a {@link DenseClassifier}: forward and backward by hand with ND4J ops on
 * views of θ, in the data type of the flat array it is given (so the gradient check can run it on
 * a float64 copy of θ). Its loss equals the classifier's inference loss up to the summation order
 * of the matrix products.
 *
 * <p><b>Memory.</b> Every array an op creates here (activations, the logits and their softmax, the
 * per-layer products W-gradient = Hᵀ·dZ before it is copied into the caller's gradient, dH and the
 * activation's derivative) is released as soon as it is used, so a gradient costs its activations
 * and one tensor-sized product at a time, not the ND4J garbage of every call: off-heap arrays are
 * otherwise freed only when the JVM collects their handles, which a large heap does late (a FedSpeed
 * client at d = 4M kept ~50 inference footprints alive that way). Every product is asked for in
 * column-major order ({@code mmul(.., 'f')}): ND4J 1.0.0-M2.1 computes a row-major product through a
 * column-major temporary that it leaves to the garbage collector (a tensor-sized array per weight
 * gradient). The values are the same bits either way (the gemm is the same; checked on MLPs and
 * logreg of several sizes, relu and tanh, batch 1 to 64); releasing changes no value either.
 */
final class DenseBackprop {
    private final int[] sizes;
    private final boolean tanh;
    private final List<Model.TensorShape> tensors;

    DenseBackprop(int[] sizes, boolean tanh, List<Model.TensorShape> tensors) {
        this.sizes = sizes;
        this.tanh = tanh;
        this.tensors = tensors;
    }

    /** The loss at {@code flat} through ND4J ops. */
    double lossAt(INDArray flat, Batch batch) {
        INDArray logits = logitsAt(flat, batch);
        try {
            return crossEntropy(logits, labels(batch), null);
        } finally {
            release(logits);
        }
    }

    /** Logits [B, classes] through ND4J ops (a new array, the caller's). */
    INDArray logitsAt(INDArray flat, Batch batch) {
        List<INDArray> acts = new ArrayList<>();
        INDArray logits = forward(flat, batch, acts);
        releaseActivations(acts, batch);
        return logits;
    }

    /** The loss at {@code flat}; writes its gradient into {@code gradFlat} (same layout as θ). */
    double lossAndGradientAt(INDArray flat, Batch batch, INDArray gradFlat) {
        List<INDArray> acts = new ArrayList<>();
        INDArray logits = forward(flat, batch, acts);
        int[] y = labels(batch);
        INDArray dz = logits.ulike();
        double loss = crossEntropy(logits, y, dz);
        release(logits);
        for (int l = sizes.length - 2; l >= 0; l--) {
            INDArray h = acts.get(l);
            INDArray weightGradient = h.transpose().mmul(dz, 'f');
            view(gradFlat, 2 * l).assign(weightGradient);
            release(weightGradient);
            INDArray biasGradient = dz.sum(0);
            view(gradFlat, 2 * l + 1).assign(biasGradient);
            release(biasGradient);
            if (l > 0) {
                INDArray dh = dz.mmul(view(flat, 2 * l).transpose(), 'f');
                INDArray deriv;
                if (tanh) {
                    deriv = h.mul(h).rsubi(1.0);
                } else {
                    INDArray positive = h.gt(0.0);
                    deriv = positive.castTo(h.dataType());
                    release(positive);
                }
                release(dz);
                dz = dh.muli(deriv);
                release(deriv);
            }
        }
        release(dz);
        releaseActivations(acts, batch);
        return loss;
    }

    /** Logits [B, classes]; collects the input of every layer into {@code acts}. */
    private INDArray forward(INDArray flat, Batch batch, List<INDArray> acts) {
        INDArray x = batch.inputs();
        if (x.rank() != 2 || x.size(1) != sizes[0]) {
            throw new IllegalArgumentException("expected inputs [B, " + sizes[0] + "], got " + java.util.Arrays.toString(x.shape()));
        }
        INDArray h = x.dataType() == flat.dataType() ? x : x.castTo(flat.dataType());
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            acts.add(h);
            INDArray z = h.mmul(view(flat, 2 * l), 'f').addiRowVector(view(flat, 2 * l + 1));
            if (l + 1 < layers) {
                h = tanh ? Transforms.tanh(z, false) : Transforms.relu(z, false);
            } else {
                h = z;
            }
        }
        return h;
    }

    /** Releases the layer inputs this class made (all but the batch's own inputs). */
    private static void releaseActivations(List<INDArray> acts, Batch batch) {
        for (INDArray a : acts) {
            if (a != batch.inputs()) release(a);
        }
    }

    /** Frees an array made here now instead of when the JVM collects its handle. */
    private static void release(INDArray a) {
        if (a != null && a.closeable()) a.close();
    }

    private INDArray view(INDArray flat, int tensor) {
        Model.TensorShape t = tensors.get(tensor);
        INDArray v = flat.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length()));
        return t.shape().length == 1 ? v : v.reshape('c', t.shape());
    }

    static int[] labels(Batch batch) {
        INDArray y = batch.labels().castTo(DataType.INT32);
        int[] labels = y.toIntVector();
        if (y != batch.labels()) release(y);
        return labels;
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
        INDArray logSumF = Transforms.log(sum, true);
        INDArray logSumD = logSumF.castTo(DataType.DOUBLE);
        double[] logSum = logSumD.toDoubleVector();
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
        release(max);
        release(shifted);
        release(exp);
        release(sum);
        if (logSumD != logSumF) release(logSumD);
        release(logSumF);
        return total / b;
    }
}
