package onebyte.core.model;

import onebyte.core.data.Batch;
import onebyte.core.tensor.ParameterVector;

/**
 * A model whose trainable parameters are one flat float32 vector θ (see {@link ParameterVector}).
 * The flattening order is fixed and documented by each implementation (tensor by tensor, in
 * {@link #tensors()} order, each row-major).
 *
 * <p>Evaluation never modifies the parameters it is given. Implementations may keep internal
 * buffers, so one instance must not be used from two threads at once.
 */
public interface Model {
    /** The number of trainable parameters d. */
    int numParams();

    /** Names and shapes of the tensors in flattening order. */
    java.util.List<TensorShape> tensors();

    /** Mean loss over the batch at θ = params, inference only (no gradient buffers). */
    double loss(ParameterVector params, Batch batch);

    /** Fraction of correct predictions over the batch at θ = params (LM: next-token accuracy). */
    double accuracy(ParameterVector params, Batch batch);

    /**
     * Mean loss over the batch and its gradient with respect to θ, written into {@code gradOut}
     * (same length as params). Returns the loss.
     */
    double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut);

    /** One named tensor of the flat vector: elements [offset, offset + length) with this shape. */
    record TensorShape(String name, long[] shape, long offset, long length) {}
}
