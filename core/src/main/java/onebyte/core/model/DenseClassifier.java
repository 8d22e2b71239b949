package onebyte.core.model;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.spsa.ParameterVector;
import onebyte.core.spsa.PerturbationStream;
import onebyte.core.spsa.PerturbedSlices;
import org.bytedeco.javacpp.FloatPointer;
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
 * (one single-precision BLAS gemm each, called directly on the buffers: Z± and H± are column-major,
 * so a column block of H is a contiguous operand; H+ = H− = the inputs for l = 0); then
 * {@code Z± += 1·(b ± εz_b)ᵀ} (a rank-1 gemm) and the activation. z is generated once per
 * evaluation, every W± and b± element equals the scratch path's {@code θ[i] ± ε·z[i]} bit for bit,
 * and the losses differ from {@link #loss} at the two points only by the gemm's summation order
 * (the block partition depends on the model alone, so the result is the same on any thread count).
 *
 * <p><b>Memory</b> of the fused evaluation on top of θ, all kept by the model between calls: the
 * slice buffers ({@link PerturbedSlices#bufferBytes()}: 8·S bytes with one thread, 2·12·S with a
 * helper thread, plus one heap chunk of z, 256 KiB by default) and the activations of
 * both points, 4·B·(2·Σ widths + inputs + 1) bytes for batch size B (rebuilt when B changes). S, the
 * longest slice, is whole rows of about clamp(d/16, {@value #MIN_SLICE_ELEMENTS},
 * {@value #MAX_SLICE_ELEMENTS}) elements (a single row when a row is longer): smaller blocks make the
 * gemm slower (each block re-reads and re-writes Z±), larger ones cost memory. Example, the
 * 999,835-parameter mlp 20→987→987→4 at B = 64, one thread: S = 65,142 (66 rows), slices
 * 521 KB + chunk 262 KB, activations 1.0 MB: 1.8 MB next to θ's 4.0 MB (two threads: slices
 * 1.6 MB, 2.9 MB in all).
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
    /** Activations of the perturbed pass, kept between calls (rebuilt when the batch size changes). */
    private PerturbedActivations perturbedActivations;

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
        PerturbedSlices slices = perturbedSlices(stream, threads);
        PerturbedActivations a = perturbedActivations((int) x.size(0));
        a.input.assign(x);
        int b = a.batchSize;
        int layers = sizes.length - 1;
        try (PerturbedSlices.Pass pass = slices.start(theta, seed, eps, sliceLengths)) {
            for (int l = 0; l < layers; l++) {
                int in = sizes[l];
                int out = sizes[l + 1];
                FloatPointer hPlus = l == 0 ? a.inputPointer : a.plusPointers[l - 1];
                FloatPointer hMinus = l == 0 ? a.inputPointer : a.minusPointers[l - 1];
                FloatPointer zPlus = a.plusPointers[l];
                FloatPointer zMinus = a.minusPointers[l];
                for (int r0 = 0; r0 < in; r0 += rowsPerSlice[l]) {
                    PerturbedSlices.Slice w = pass.next();
                    int rows = w.length() / out;
                    float beta = r0 == 0 ? 0f : 1f;
                    // Z± (column-major B × out) += H±[:, r0..r0+rows] · W±[r0..r0+rows, :], W± row-major = its transpose column-major
                    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, b, out, rows, 1f, columns(hPlus, r0, b), b,
                            pointer(w.plus()), out, beta, zPlus, b);
                    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, b, out, rows, 1f, columns(hMinus, r0, b), b,
                            pointer(w.minus()), out, beta, zMinus, b);
                }
                PerturbedSlices.Slice bias = pass.next();
                // Z± += 1_B · b± (a rank-1 gemm: adds the bias row to every example, one rounding per element)
                cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, b, out, 1, 1f, a.onesPointer, b, pointer(bias.plus()), 1, 1f,
                        zPlus, b);
                cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, b, out, 1, 1f, a.onesPointer, b, pointer(bias.minus()), 1, 1f,
                        zMinus, b);
                if (l + 1 < layers) {
                    activateInPlace(a.plus[l]);
                    activateInPlace(a.minus[l]);
                }
            }
        }
        return new Losses(crossEntropy(a.plus[layers - 1], y, null), crossEntropy(a.minus[layers - 1], y, null));
    }

    /**
     * The column-major activations of the perturbed pass for one batch size, kept between calls: the
     * inputs, Z+ and Z− of every layer (2·B·Σ widths floats) and a column of ones (bias updates).
     */
    private static final class PerturbedActivations {
        final int batchSize;
        final INDArray input;
        final INDArray[] plus;
        final INDArray[] minus;
        final FloatPointer inputPointer;
        final FloatPointer[] plusPointers;
        final FloatPointer[] minusPointers;
        final FloatPointer onesPointer;
        private final INDArray ones;

        PerturbedActivations(int[] sizes, int batchSize) {
            this.batchSize = batchSize;
            int layers = sizes.length - 1;
            input = Nd4j.create(DataType.FLOAT, new long[] {batchSize, sizes[0]}, 'f');
            ones = Nd4j.ones(DataType.FLOAT, batchSize);
            plus = new INDArray[layers];
            minus = new INDArray[layers];
            plusPointers = new FloatPointer[layers];
            minusPointers = new FloatPointer[layers];
            for (int l = 0; l < layers; l++) {
                plus[l] = Nd4j.create(DataType.FLOAT, new long[] {batchSize, sizes[l + 1]}, 'f');
                minus[l] = Nd4j.create(DataType.FLOAT, new long[] {batchSize, sizes[l + 1]}, 'f');
                plusPointers[l] = pointer(plus[l]);
                minusPointers[l] = pointer(minus[l]);
            }
            inputPointer = pointer(input);
            onesPointer = pointer(ones);
        }
    }

    private PerturbedActivations perturbedActivations(int batchSize) {
        PerturbedActivations a = perturbedActivations;
        if (a == null || a.batchSize != batchSize) {
            perturbedActivations = null; // let the old arrays go before allocating new ones
            a = new PerturbedActivations(sizes, batchSize);
            perturbedActivations = a;
        }
        return a;
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

    /** The address of element 0 of a float32 array that owns its buffer from offset 0 (no view). */
    private static FloatPointer pointer(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.offset() != 0) {
            throw new IllegalArgumentException("expected a float32 array at offset 0");
        }
        return new FloatPointer(a.data().addressPointer());
    }

    /** The address of column {@code column} of a column-major matrix with {@code rows} rows. */
    private static FloatPointer columns(FloatPointer matrix, int column, int rows) {
        return new FloatPointer(matrix).position((long) column * rows);
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
