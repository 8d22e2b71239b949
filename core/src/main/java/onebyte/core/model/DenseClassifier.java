package onebyte.core.model;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.PerturbedSlices;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code logreg} (no hidden layer) and {@code mlp}: dense layers {@code h ← act(h·W + b)} with a
 * softmax cross-entropy head.
 *
 * <p>Flattening order: for each layer l = 0..L−1, {@code layer<l>.weight} [in, out] row-major, then
 * {@code layer<l>.bias} [out].
 *
 * <p><b>Inference</b> ({@link #loss}, {@link #accuracy}) and the <b>fused SPSA pass</b> run the same
 * layer loop ({@link #forwardLayers}), single-precision BLAS gemms called directly on column-major
 * activation buffers kept by the model: per layer {@code Z += H[:, r0..r0+r] · W[r0..r0+r, :]} for
 * blocks of whole rows of W (a column block of H is a contiguous operand, W row-major is its
 * transpose column-major), then {@code Z += 1·bᵀ} (a rank-1 gemm) and the activation in place; then
 * the cross-entropy (or the argmax) of the logits with ND4J ops. Inference reads W and b in place
 * from θ (one block per tensor, no copy of θ).
 *
 * <p><b>Training by gradient</b> ({@link #lossAndGradient}) is {@link DenseBackprop}: forward and
 * backward by hand with ND4J ops on views of θ, each temporary released once used.
 *
 * <p><b>Both SPSA points in one pass</b> ({@link SymmetricPerturbedLoss}): θ is walked front to back
 * in slices ({@link PerturbedSlices}): each weight tensor in blocks of whole rows, then its bias.
 * For a block of rows [r0, r0 + r) of layer l the slice holds W±[r0..r0+r, :] = W ± εz for those
 * rows, and the layer loop runs the two points θ + εz and θ − εz side by side (H+ = H− = the inputs
 * for l = 0). z is generated once per evaluation, every W± and b± element equals the scratch path's
 * {@code θ[i] ± ε·z[i]} bit for bit, and the losses differ from {@link #loss} at the two points only
 * by the gemm's summation order (inference multiplies whole tensors; the block partition depends on
 * the model alone, so the result is the same on any thread count).
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
 * 1.6 MB, 2.9 MB in all). Inference keeps its own activations of one point, 4·B·(Σ widths + inputs
 * + 1) bytes (0.5 MB in the example).
 */
final class DenseClassifier implements Model, SymmetricPerturbedLoss {
    /** Lower bound of the target slice length of {@link #symmetricPerturbedLosses} (256 KiB of floats). */
    static final int MIN_SLICE_ELEMENTS = 1 << 16;
    /** Upper bound of the target slice length (1 MiB of floats). */
    static final int MAX_SLICE_ELEMENTS = 1 << 18;

    private final int[] sizes;
    private final boolean tanh;
    private final List<TensorShape> tensors;
    private final DenseBackprop backprop;
    private final int numParams;
    /** The slice lengths of one pass over θ, in flat order. */
    private final int[] sliceLengths;
    private final int maxSliceLength;
    /** Buffers of the perturbed pass, kept between calls (rebuilt when the stream or the thread mode changes). */
    private PassBuffers passBuffers;
    /**
     * Activations kept between calls (rebuilt when the batch size changes): [0] one point, of
     * {@link #loss} and {@link #accuracy}; [1] the two points of the fused pass.
     */
    private final Activations[] activations = new Activations[2];

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
        this.backprop = new DenseBackprop(sizes, tanh, tensors);
        int layers = sizes.length - 1;
        List<Integer> lengths = new ArrayList<>();
        int longest = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int rows = Math.max(1, Math.min(in, sliceElements / out));
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

    /**
     * Bytes of the working memory this model keeps between calls, counted from the buffers it
     * holds now: the activation sets (inference's one point, the fused pass's two) and the
     * perturbed pass's slice buffers. θ is the caller's and not counted.
     */
    long keptBytes() {
        long bytes = passBuffers == null ? 0 : passBuffers.bytes();
        for (Activations a : activations) {
            bytes += a == null ? 0 : a.bytes();
        }
        return bytes;
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
        return crossEntropy(forwardInPlace(params, batch).logits(0), labels(batch), null);
    }

    @Override
    public double accuracy(ParameterVector params, Batch batch) {
        long[] pred = forwardInPlace(params, batch).logits(0).argMax(1).toLongVector();
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
        PerturbedSlices slices = passBuffers(stream, threads);
        Activations a = loadInputs(2, batch);
        try (PerturbedSlices.Pass pass = slices.start(theta, seed, eps, sliceLengths)) {
            forwardLayers(a, new PerturbedBlocks(pass));
        }
        int[] y = labels(batch);
        return new Losses(crossEntropy(a.logits(0), y, null), crossEntropy(a.logits(1), y, null));
    }

    /** The forward pass at θ into the kept one-point activations, W and b read in place from θ. */
    private Activations forwardInPlace(ParameterVector params, Batch batch) {
        check(params);
        Activations a = loadInputs(1, batch);
        forwardLayers(a, new TensorsOfTheta(params));
        return a;
    }

    /**
     * The layer math of the inference and the fused pass: for every layer and every point p of
     * {@code a}, {@code Z_p = H_p · W_p + 1·b_pᵀ} (H_p the previous layer's activation of p, the
     * inputs for layer 0), then the hidden activation in place. W_p arrives from {@code blocks} in
     * blocks of whole rows [r0, r0 + r), each accumulated by one single-precision gemm
     * {@code Z_p += H_p[:, r0..r0+r] · W_p[r0..r0+r, :]} on the column-major buffers (a column block of
     * H is a contiguous operand; W row-major is its transpose column-major); the bias by a rank-1 gemm
     * (one rounding per element).
     */
    private void forwardLayers(Activations a, ParameterBlocks blocks) {
        int b = a.batchSize;
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            for (int r0 = 0; r0 < in; ) {
                int rows = blocks.next() / out;
                float beta = r0 == 0 ? 0f : 1f;
                for (int p = 0; p < a.points; p++) {
                    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, b, out, rows, 1f, columns(a.layerInput(p, l), r0, b), b,
                            blocks.at(p), out, beta, a.zPointers[p][l], b);
                }
                r0 += rows;
            }
            blocks.next();
            for (int p = 0; p < a.points; p++) {
                cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, b, out, 1, 1f, a.onesPointer, b, blocks.at(p), 1, 1f,
                        a.zPointers[p][l], b);
            }
            if (l + 1 < layers) {
                for (int p = 0; p < a.points; p++) {
                    activateInPlace(a.z[p][l]);
                }
            }
        }
    }

    /** Where {@link #forwardLayers} reads W and b of every point: block by block, in flat order. */
    private interface ParameterBlocks {
        /** Moves to the next block (whole rows of a weight tensor, or a bias) and returns its length in elements. */
        int next();

        /** The current block at point {@code point}, float32, row-major. */
        FloatPointer at(int point);
    }

    /** One point, θ itself: every tensor is one block, addressed in place (θ is only read). */
    private final class TensorsOfTheta implements ParameterBlocks {
        private final FloatPointer theta;
        private int tensor = -1;
        private FloatPointer current;

        TensorsOfTheta(ParameterVector params) {
            INDArray flat = params.array();
            this.theta = new FloatPointer(flat.data().pointer()).position(flat.offset());
        }

        @Override
        public int next() {
            TensorShape t = tensors.get(++tensor);
            current = new FloatPointer(theta).position(theta.position() + t.offset());
            return (int) t.length();
        }

        @Override
        public FloatPointer at(int point) {
            return current;
        }
    }

    /** Two points, θ + εz (point 0) and θ − εz (point 1): the slices of a perturbed pass. */
    private static final class PerturbedBlocks implements ParameterBlocks {
        private final PerturbedSlices.Pass pass;
        private PerturbedSlices.Slice current;

        PerturbedBlocks(PerturbedSlices.Pass pass) {
            this.pass = pass;
        }

        @Override
        public int next() {
            current = pass.next();
            return current.length();
        }

        @Override
        public FloatPointer at(int point) {
            return pointer(point == 0 ? current.plus() : current.minus());
        }
    }

    /**
     * Column-major activations of {@code points} evaluation points for one batch size, kept between
     * calls: the inputs (shared by the points), Z of every layer and point (points·B·Σ widths floats)
     * and a column of ones (bias updates).
     */
    private static final class Activations {
        final int batchSize;
        final int points;
        final INDArray input;
        /** [point][layer]. */
        final INDArray[][] z;
        final FloatPointer inputPointer;
        final FloatPointer[][] zPointers;
        final FloatPointer onesPointer;
        private final INDArray ones;

        Activations(int[] sizes, int batchSize, int points) {
            this.batchSize = batchSize;
            this.points = points;
            int layers = sizes.length - 1;
            input = Nd4j.create(DataType.FLOAT, new long[] {batchSize, sizes[0]}, 'f');
            ones = Nd4j.ones(DataType.FLOAT, batchSize);
            z = new INDArray[points][layers];
            zPointers = new FloatPointer[points][layers];
            for (int p = 0; p < points; p++) {
                for (int l = 0; l < layers; l++) {
                    z[p][l] = Nd4j.create(DataType.FLOAT, new long[] {batchSize, sizes[l + 1]}, 'f');
                    zPointers[p][l] = pointer(z[p][l]);
                }
            }
            inputPointer = pointer(input);
            onesPointer = pointer(ones);
        }

        /** Bytes of the arrays held: inputs, the column of ones and every Z. */
        long bytes() {
            long floats = input.length() + ones.length();
            for (INDArray[] point : z) {
                for (INDArray layer : point) {
                    floats += layer.length();
                }
            }
            return 4 * floats;
        }

        /** The input of layer {@code layer} at point {@code point}. */
        FloatPointer layerInput(int point, int layer) {
            return layer == 0 ? inputPointer : zPointers[point][layer - 1];
        }

        /** The logits [B, classes] of point {@code point} after a forward pass. */
        INDArray logits(int point) {
            return z[point][z[point].length - 1];
        }
    }

    /** The kept activations for this many points and the batch's size, holding the batch's inputs. */
    private Activations loadInputs(int points, Batch batch) {
        INDArray x = batch.inputs();
        if (x.rank() != 2 || x.size(1) != sizes[0]) {
            throw new IllegalArgumentException("expected inputs [B, " + sizes[0] + "], got " + java.util.Arrays.toString(x.shape()));
        }
        int batchSize = (int) x.size(0);
        Activations a = activations[points - 1];
        if (a == null || a.batchSize != batchSize) {
            activations[points - 1] = null; // let the old arrays go before allocating new ones
            a = new Activations(sizes, batchSize, points);
            activations[points - 1] = a;
        }
        a.input.assign(x);
        return a;
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

    /** The loss through ND4J ops in the data type of {@code flat} ({@link DenseBackprop}; the gradient check runs it on float64). */
    double lossAt(INDArray flat, Batch batch) {
        return backprop.lossAt(flat, batch);
    }

    /** Logits [B, classes] through ND4J ops in the data type of {@code flat}. */
    INDArray logitsAt(INDArray flat, Batch batch) {
        return backprop.logitsAt(flat, batch);
    }

    double lossAndGradientAt(INDArray flat, Batch batch, INDArray gradFlat) {
        return backprop.lossAndGradientAt(flat, batch, gradFlat);
    }

    static int[] labels(Batch batch) {
        return DenseBackprop.labels(batch);
    }

    static double crossEntropy(INDArray logits, int[] y, INDArray dLogits) {
        return DenseBackprop.crossEntropy(logits, y, dLogits);
    }

    private PerturbedSlices passBuffers(PerturbationStream stream, int threads) {
        if (passBuffers == null) passBuffers = new PassBuffers(maxSliceLength);
        return passBuffers.forStream(stream, threads);
    }
}
