package onebyte.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.spsa.ParameterVector;
import onebyte.core.spsa.PerturbationStream;
import onebyte.core.spsa.PerturbedSlices;
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
 *
 * <p><b>Both SPSA points in one pass</b> ({@link SymmetricPerturbedLoss}): θ is walked front to back
 * in slices ({@link PerturbedSlices}): each weight tensor in blocks of whole rows, then its bias.
 * For a block of rows [r0, r0 + r) of layer l the slice holds W±[r0..r0+r, :] = W ± εz for those
 * rows, and the two pre-activations accumulate {@code Z± += H±[:, r0..r0+r] · W±[r0..r0+r, :]}
 * (one BLAS gemm each, column-major Z± and H± so that a column block of H is a contiguous operand;
 * H+ = H− = the inputs for l = 0); then {@code Z± += b ± εz_b} and the activation. z is generated
 * once per evaluation, every W± element equals the scratch path's {@code θ[i] ± ε·z[i]} bit for bit,
 * and the losses differ from {@link #loss} at the two points only by the gemm's summation order
 * (the block partition depends on the model alone, so the result is the same on any thread count).
 * <b>Memory</b> on top of θ: the slice buffers ({@link PerturbedSlices#bufferBytes()}: with slices of
 * at most S elements, 8·S bytes off-heap per slot, one slot or two with a helper thread, plus one
 * heap chunk of z, 256 KiB by default), held by the model between calls, and two sets of
 * activations (2·B·Σ widths floats) instead of one. S = whole rows of about
 * clamp(d/16, {@value #MIN_SLICE_ELEMENTS}, {@value #MAX_SLICE_ELEMENTS}) elements (a single row when a
 * row is longer): smaller blocks would make the gemm slower (each block re-reads and re-writes Z±),
 * larger ones cost memory.
 */
final class DenseClassifier implements Model, SymmetricPerturbedLoss {
    /** Lower bound of the target slice length of {@link #symmetricPerturbedLosses} (256 KiB of floats). */
    static final int MIN_SLICE_ELEMENTS = 1 << 16;
    /** Upper bound of the target slice length (1 MiB of floats). */
    static final int MAX_SLICE_ELEMENTS = 1 << 18;

    private final int[] sizes;
    private final boolean tanh;
    private final List<TensorShape> tensors;
    private final int numParams;
    /** Weight rows per slice, per layer. */
    private final int[] rowsPerSlice;
    /** The slice lengths of one pass over θ, in flat order. */
    private final int[] sliceLengths;
    private final int maxSliceLength;
    /** Buffers of the perturbed pass, kept between calls (rebuilt when the stream or the thread mode changes). */
    private PerturbedSlices perturbedSlices;

    DenseClassifier(ModelSpec spec) {
        this(spec, defaultSliceElements(parameterCount(layerSizes(spec))));
    }

    /** @param sliceElements target slice length of the perturbed pass (whole rows, at least one) */
    DenseClassifier(ModelSpec spec, int sliceElements) {
        if (sliceElements < 1) throw new IllegalArgumentException("sliceElements must be >= 1, got " + sliceElements);
        this.sizes = layerSizes(spec);
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
        int layers = sizes.length - 1;
        this.rowsPerSlice = new int[layers];
        List<Integer> lengths = new ArrayList<>();
        int longest = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int rows = Math.max(1, Math.min(in, sliceElements / out));
            rowsPerSlice[l] = rows;
            for (int r0 = 0; r0 < in; r0 += rows) {
                lengths.add(Math.min(rows, in - r0) * out);
            }
            lengths.add(out);
            longest = Math.max(longest, Math.max(rows * out, out));
        }
        this.sliceLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
        this.maxSliceLength = longest;
    }

    private static int[] layerSizes(ModelSpec spec) {
        List<Integer> s = new ArrayList<>();
        s.add(spec.inputs());
        s.addAll(spec.hidden());
        s.add(spec.classes());
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long parameterCount(int[] sizes) {
        long d = 0;
        for (int l = 0; l + 1 < sizes.length; l++) d += (long) sizes[l] * sizes[l + 1] + sizes[l + 1];
        return d;
    }

    /** clamp(d / 16, MIN_SLICE_ELEMENTS, MAX_SLICE_ELEMENTS). */
    static int defaultSliceElements(long d) {
        return (int) Math.max(MIN_SLICE_ELEMENTS, Math.min(MAX_SLICE_ELEMENTS, d / 16));
    }

    /** The longest slice of the perturbed pass, in elements. */
    int maxSliceLength() {
        return maxSliceLength;
    }

    /** Number of slices of one perturbed pass. */
    int sliceCount() {
        return sliceLengths.length;
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

    @Override
    public Losses symmetricPerturbedLosses(ParameterVector theta, PerturbationStream stream, long seed, float eps, Batch batch,
                                           int threads) {
        check(theta);
        INDArray x = batch.inputs();
        if (x.rank() != 2 || x.size(1) != sizes[0]) {
            throw new IllegalArgumentException("expected inputs [B, " + sizes[0] + "], got " + java.util.Arrays.toString(x.shape()));
        }
        int[] y = labels(batch);
        long b = x.size(0);
        PerturbedSlices slices = perturbedSlices(stream, threads);
        INDArray hPlus = (x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT)).dup('f');
        INDArray hMinus = hPlus;
        int layers = sizes.length - 1;
        try (PerturbedSlices.Pass pass = slices.start(theta, seed, eps, sliceLengths)) {
            for (int l = 0; l < layers; l++) {
                int in = sizes[l];
                int out = sizes[l + 1];
                INDArray zPlus = Nd4j.create(DataType.FLOAT, new long[] {b, out}, 'f');
                INDArray zMinus = Nd4j.create(DataType.FLOAT, new long[] {b, out}, 'f');
                for (int r0 = 0; r0 < in; r0 += rowsPerSlice[l]) {
                    PerturbedSlices.Slice w = pass.next();
                    int rows = w.length() / out;
                    double beta = r0 == 0 ? 0.0 : 1.0;
                    Nd4j.gemm(columns(hPlus, r0, rows), w.plus().reshape('c', rows, out), zPlus, false, false, 1.0, beta);
                    Nd4j.gemm(columns(hMinus, r0, rows), w.minus().reshape('c', rows, out), zMinus, false, false, 1.0, beta);
                }
                PerturbedSlices.Slice bias = pass.next();
                zPlus.addiRowVector(bias.plus());
                zMinus.addiRowVector(bias.minus());
                if (l + 1 < layers) {
                    activateInPlace(zPlus);
                    activateInPlace(zMinus);
                }
                hPlus = zPlus;
                hMinus = zMinus;
            }
        }
        return new Losses(crossEntropy(hPlus, y, null), crossEntropy(hMinus, y, null));
    }

    /** The pass buffers for this stream and thread mode (kept between calls). */
    private PerturbedSlices perturbedSlices(PerturbationStream stream, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        PerturbedSlices s = perturbedSlices;
        if (s == null || s.stream() != stream || s.prefetches() != (threads >= 2)) {
            perturbedSlices = null; // let the old buffers go before allocating new ones
            s = new PerturbedSlices(stream, maxSliceLength, threads);
            perturbedSlices = s;
        }
        return s;
    }

    /** Columns [from, from + count) of a column-major [B, n] matrix: a contiguous view. */
    private static INDArray columns(INDArray h, int from, int count) {
        return count == h.size(1) ? h : h.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count));
    }

    private void activateInPlace(INDArray z) {
        if (tanh) {
            Transforms.tanh(z, false);
        } else {
            Transforms.relu(z, false);
        }
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
