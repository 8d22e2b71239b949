package onebyte.core.model.transformer;

import onebyte.core.perturbation.PerturbedSlices;
import onebyte.core.tensor.ParameterVector;

/**
 * Where a forward pass reads its parameters: block by block in flat order, one block being a whole
 * vector tensor (a bias, a LayerNorm gain) or whole rows of a matrix tensor (a weight, an
 * embedding table), at one or two evaluation points at once. A pass calls {@link #next()} once per
 * block and reads {@link #at} for each point before the next call (a block is valid until then).
 * The forward pass is the same whatever the block sizes; a matrix of [rows, cols] must arrive in
 * blocks of whole rows.
 *
 * <p>A caller that owns parameters after a {@link Transformer}'s (a classification head) goes on
 * calling {@link #next()} on the same instance once the transformer's forward pass returns.
 */
public interface Weights {
    /** Moves to the next block and returns its length in elements. */
    int next();

    /** The current block at evaluation point {@code point} (elements from index 0). */
    DenseBuffer at(int point);

    /**
     * One point, θ itself, read in place: each tensor of {@code layout} is one block (a view of θ,
     * nothing copied); tensors of the caller follow if {@code lengths} lists them.
     *
     * @param theta the flat parameters (float32 or float64)
     * @param offset where the first tensor starts in θ
     * @param lengths the tensor lengths in flat order
     */
    static Weights inPlace(DenseBuffer theta, int offset, int[] lengths) {
        return new Weights() {
            private int tensor = -1;
            private int from = offset;
            private DenseBuffer current;

            @Override
            public int next() {
                if (tensor >= 0) from += lengths[tensor];
                int n = lengths[++tensor];
                current = theta.view(from, n);
                return n;
            }

            @Override
            public DenseBuffer at(int point) {
                return current;
            }
        };
    }

    /** {@link #inPlace(DenseBuffer, int, int[])} on a float32 parameter vector. */
    static Weights inPlace(ParameterVector theta, int offset, int[] lengths) {
        return inPlace(DenseBuffer.of(theta.array()), offset, lengths);
    }

    /**
     * Two points, θ + εz (point 0) and θ − εz (point 1): the slices of an open perturbed pass, in
     * order. The pass hands out the same few slot buffers again and again; each is wrapped once.
     */
    static Weights perturbed(PerturbedSlices.Pass pass) {
        return new Weights() {
            private final java.util.Map<org.nd4j.linalg.api.ndarray.INDArray, DenseBuffer> wrapped = new java.util.IdentityHashMap<>();
            private PerturbedSlices.Slice current;

            @Override
            public int next() {
                current = pass.next();
                return current.length();
            }

            @Override
            public DenseBuffer at(int point) {
                return wrapped.computeIfAbsent(point == 0 ? current.plus() : current.minus(), DenseBuffer::of);
            }
        };
    }
}
