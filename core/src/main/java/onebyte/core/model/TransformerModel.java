package onebyte.core.model;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.model.transformer.DenseBuffer;
import onebyte.core.model.transformer.Weights;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.PerturbedSlices;
import onebyte.core.tensor.ParameterVector;

/**
 * What the models on {@link onebyte.core.model.transformer.Transformer} share: the float32 API read
 * in place (θ viewed as a {@link DenseBuffer}, never copied, never written), and the SPSA pass of
 * both points θ ± εz over slices of θ ({@link PerturbedSlices}: z drawn once, each slice consumed by
 * both points as it is built; the slice lengths are fixed per model, so the losses do not depend on
 * the thread count). A subclass gives the passes on buffers: float32 or float64 (gradient checks).
 */
abstract class TransformerModel implements Model, SymmetricPerturbedLoss {
    private final List<TensorShape> tensors;
    private final int[] sliceLengths;
    private final PassBuffers passBuffers;

    TransformerModel(List<TensorShape> tensors, int[] sliceLengths) {
        this.tensors = List.copyOf(tensors);
        this.sliceLengths = sliceLengths.clone();
        this.passBuffers = new PassBuffers(java.util.Arrays.stream(sliceLengths).max().orElseThrow());
    }

    /** The loss at θ (float32 or float64). */
    abstract double lossAt(DenseBuffer theta, Batch batch);

    /** The loss at θ, its gradient written into {@code grad} (same precision as θ). */
    abstract double lossAndGradientAt(DenseBuffer theta, Batch batch, DenseBuffer grad);

    /** Both losses of a perturbed pass whose parameters, in flat order, come from {@code w} (points 0: θ + εz, 1: θ − εz). */
    abstract Losses perturbedLosses(Weights w, Batch batch);

    @Override
    public final List<TensorShape> tensors() {
        return tensors;
    }

    @Override
    public final double loss(ParameterVector params, Batch batch) {
        return lossAt(theta(params), batch);
    }

    @Override
    public final double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut) {
        if (gradOut.length() != numParams()) {
            throw new IllegalArgumentException("gradient length " + gradOut.length() + " != " + numParams());
        }
        return lossAndGradientAt(theta(params), batch, DenseBuffer.of(gradOut.array()));
    }

    @Override
    public final Losses symmetricPerturbedLosses(ParameterVector theta, PerturbationStream stream, long seed, float eps, Batch batch,
                                                 int threads) {
        theta(theta);
        try (PerturbedSlices.Pass pass = passBuffers.forStream(stream, threads).start(theta, seed, eps, sliceLengths)) {
            return perturbedLosses(Weights.perturbed(pass), batch);
        }
    }

    /** θ viewed in place, after checking its length. */
    final DenseBuffer theta(ParameterVector params) {
        if (params.length() != numParams()) {
            throw new IllegalArgumentException("parameter length " + params.length() + " != " + numParams());
        }
        return DenseBuffer.of(params.array());
    }
}
