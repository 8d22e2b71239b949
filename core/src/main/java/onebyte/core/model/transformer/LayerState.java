package onebyte.core.model.transformer;

/**
 * The activations of one block at one evaluation point, row-major [B·T, ·]. In a trace (kept for
 * the backward pass) every field is its own buffer and {@code xOut} is the next block's
 * {@code xIn}; for inference several fields share memory (see {@link Activations}).
 *
 * <p>Decoder: a = LN1(xIn) in {@code lnA}; q, k, v; P; ctx; xMid = xIn + ctx·Wo + bo; b = LN2(xMid)
 * in {@code lnB}; u = b·W1 + b1; g = gelu(u); xOut = xMid + g·W2 + b2.
 * In a trace u holds gelu'(u) once the forward pass is done (see {@link Gelu#forwardTraced}).
 * Encoder: q, k, v from xIn; P; ctx; s1 = xIn + ctx·Wo + bo in {@code lnA}; xMid = LN1(s1);
 * u = xMid·W1 + b1; g = gelu(u); s2 = xMid + g·W2 + b2 in {@code lnB}; xOut = LN2(s2).
 */
final class LayerState {
    DenseBuffer xIn;
    DenseBuffer lnA;
    double[] statsA;
    DenseBuffer q;
    DenseBuffer k;
    DenseBuffer v;
    DenseBuffer probs;
    DenseBuffer ctx;
    DenseBuffer xMid;
    DenseBuffer lnB;
    double[] statsB;
    DenseBuffer u;
    DenseBuffer g;
    DenseBuffer xOut;
}
