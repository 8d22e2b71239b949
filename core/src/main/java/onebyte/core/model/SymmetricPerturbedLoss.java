package onebyte.core.model;

import onebyte.core.data.Batch;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;

/**
 * Optional capability of a {@link Model}: both SPSA losses l+ = L(θ + εz; B) and l− = L(θ − εz; B)
 * (SPEC §2 step 4) in one call, without writing θ and without materialising either perturbed point
 * as a full copy of θ, generating z = Z(seed) once. {@code SpsaEstimator} uses it when the model
 * has it, and otherwise evaluates the two points on a scratch copy with {@link Model#loss}.
 *
 * <p>The losses are those of {@link Model#loss} at the two points up to float rounding (the
 * summation order may differ), and deterministic for a given (θ, seed, eps, batch, stream) on any
 * thread count. θ comes back bit-exact.
 */
public interface SymmetricPerturbedLoss {
    /**
     * l+ and l− for z = Z(seed) of {@code stream}, the points being {@code theta[i] ± eps * z[i]}
     * element-wise in float32.
     *
     * @param threads threads the evaluation may use (the calling thread included); the result does
     *     not depend on it
     */
    Losses symmetricPerturbedLosses(ParameterVector theta, PerturbationStream stream, long seed, float eps, Batch batch,
                                    int threads);

    /** l+ = L(θ + εz) and l− = L(θ − εz). */
    record Losses(double plus, double minus) {}
}
