package onebyte.core.spsa;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A flat float32 parameter vector θ of length d held in one ND4J array (off-heap).
 * Tensors are views of it (see {@code Model.tensors()}).
 *
 * <p>CONTRACT (implemented by the SPSA engine work):
 * <ul>
 *   <li>{@code ParameterVector(int d)} zeros; {@code ParameterVector(INDArray flat)} wraps (no copy).</li>
 *   <li>{@link #array()} the backing 1-D float32 INDArray, length d.</li>
 *   <li>{@code int length()}, {@code ParameterVector copy()}, {@code void copyFrom(ParameterVector)}.</li>
 *   <li>{@code void get(int from, float[] dst, int off, int len)} / {@code put(...)}: bulk access.</li>
 *   <li>{@code byte[] hash()}: SHA-256 over the raw little-endian float bits; {@code String hashHex()}.</li>
 *   <li>{@code void perturbInto(ParameterVector dst, PerturbationStream z, long seed, float scale)}:
 *       dst = θ + scale·z(seed), element-wise in float32, θ untouched (exact restore by construction).</li>
 * </ul>
 */
public final class ParameterVector {
    private final INDArray flat;

    public ParameterVector(INDArray flat) {
        this.flat = flat;
    }

    public INDArray array() {
        return flat;
    }
}
