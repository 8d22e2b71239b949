package onebyte.core.model.transformer;

/**
 * e^x for the float32 element-wise loops (softmax, the cross-entropy, GELU's derivative), where the
 * argument is never positive: only multiplies, adds and min/max, so that a loop calling it is
 * vectorised by the JIT (an integer exponent, as in the usual 2^i·p(f) reduction, is not). The
 * float64 passes (gradient checks) use {@link Math#exp}.
 */
public final class Exp {
    private Exp() {}

    /**
     * e^x for x ≤ 0 in float arithmetic: q = e^{x/32} − 1 from its Taylor polynomial (degree 7,
     * |x/32| ≤ 1), squared five times as q ← q·(2 + q) (each step (1 + q)² − 1, so q keeps its
     * relative accuracy), then 1 + q. An absolute approximation, for sums that have a term near 1 (a
     * softmax after its maximum is taken out) and for factors of small terms: absolute error below
     * 2e-7 on (−∞, 0] (under two float32 ulp of 1), relative error below 4e-7 on [−1, 0], but values
     * below about 1e-5 carry a large relative error and x below −32 gives 0; x above 0 is taken as 0.
     */
    public static float negative(float x) {
        float t = Math.min(0f, Math.max(x, -32f)) * (1f / 32);
        float q = t * (1f + t * (1f / 2 + t * (1f / 6 + t * (1f / 24 + t * (1f / 120 + t * (1f / 720 + t * (1f / 5040)))))));
        q *= 2f + q;
        q *= 2f + q;
        q *= 2f + q;
        q *= 2f + q;
        q *= 2f + q;
        return 1f + q;
    }
}
