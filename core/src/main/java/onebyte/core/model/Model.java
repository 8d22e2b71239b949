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

    /**
     * Loss and accuracy over the batch at θ = params, as {@link #loss} and {@link #accuracy} give
     * them; a model whose forward pass is costly overrides it to run that pass once.
     */
    default Evaluation evaluate(ParameterVector params, Batch batch) {
        return new Evaluation(loss(params, batch), accuracy(params, batch));
    }

    /**
     * Most examples of {@code data} one forward pass of a whole-set {@link Evaluation} takes: what
     * keeps that pass's activations the size of a few minibatches.
     */
    default int evaluationChunk(onebyte.core.data.Dataset data) {
        return Evaluation.CHUNK_EXAMPLES;
    }

    /** One named tensor of the flat vector: elements [offset, offset + length) with this shape. */
    record TensorShape(String name, long[] shape, long offset, long length) {}
}
