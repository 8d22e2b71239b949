package onebyte.core.model.transformer;

import org.apache.commons.math3.special.Erf;

/**
 * GELU in its erf form, {@code gelu(u) = u·Φ(u) = ½u(1 + erf(u/√2))} (BERT's and GPT-2's exact
 * GELU, not the tanh approximation), and its derivative {@code Φ(u) + u·φ(u)}.
 *
 * <p>float32 buffers use {@link #erf(float)}, a rational approximation in float arithmetic on
 * [−4, 4] (Eigen's and TensorFlow's fast float erf: |error| < 5e-7, about 4 float32 ulp near 1),
 * computed over chunks copied to the heap so that the loop is a plain array loop; float64 buffers
 * (the gradient check) use commons-math's erf in double precision. The backward pass uses the same
 * erf as the forward pass of its precision; its Gaussian density is {@link Exp#negative} in float32, so
 * that the loops are vectorised by the JIT. The training pass computes the slope gelu'(u) with the
 * activation ({@link #forwardTraced}) and the backward pass only multiplies by it.
 */
final class Gelu {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    private static final int CHUNK = 4096;
    private static final ThreadLocal<float[][]> CHUNKS = ThreadLocal.withInitial(() -> new float[3][CHUNK]);

    private Gelu() {}

    /** out[i] = gelu(in[i]) for i < n (in and out may be the same buffer). */
    static void forward(DenseBuffer in, DenseBuffer out, int n) {
        if (in.isDouble()) {
            for (int i = 0; i < n; i++) {
                double u = in.get(i);
                out.set(i, 0.5 * u * (1 + Erf.erf(u * INV_SQRT2)));
            }
            return;
        }
        float[] c = CHUNKS.get()[0];
        for (int from = 0; from < n; from += CHUNK) {
            int len = Math.min(CHUNK, n - from);
            in.read(from, c, 0, len);
            for (int i = 0; i < len; i++) {
                float u = c[i];
                c[i] = 0.5f * u * (1f + erf(u * (float) INV_SQRT2));
            }
            out.write(from, c, 0, len);
        }
    }

    /**
     * The training form: {@code g[i] = gelu(u[i])}, and {@code u[i]} is replaced by the slope
     * gelu'(u[i]) = Φ(u) + u·φ(u), all that {@link #backward} needs (the erf is computed once per
     * element for both). The same bits as {@link #forward} for g.
     */
    static void forwardTraced(DenseBuffer u, DenseBuffer g, int n) {
        if (u.isDouble()) {
            for (int i = 0; i < n; i++) {
                double x = u.get(i);
                double erf = Erf.erf(x * INV_SQRT2);
                g.set(i, 0.5 * x * (1 + erf));
                u.set(i, 0.5 * (1 + erf) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
            }
            return;
        }
        float[][] c = CHUNKS.get();
        float[] x = c[0];
        float[] erf = c[1];
        float[] e = c[2];
        for (int from = 0; from < n; from += CHUNK) {
            int len = Math.min(CHUNK, n - from);
            u.read(from, x, 0, len);
            // small loops: the JIT vectorises each, not their fusion (too large a loop body)
            for (int i = 0; i < len; i++) erf[i] = erf(x[i] * (float) INV_SQRT2);
            for (int i = 0; i < len; i++) e[i] = x[i] * (float) INV_SQRT_2PI * Exp.negative(-0.5f * x[i] * x[i]);
            for (int i = 0; i < len; i++) {
                float xi = x[i];
                x[i] = 0.5f * xi * (1f + erf[i]);
                e[i] += 0.5f * (1f + erf[i]);
            }
            g.write(from, x, 0, len);
            u.write(from, e, 0, len);
        }
    }

    /** dIn[i] = dOut[i]·slope[i] for i < n, the slope gelu'(u) left by {@link #forwardTraced} (dIn and dOut may be the same buffer). */
    static void backward(DenseBuffer slope, DenseBuffer dOut, DenseBuffer dIn, int n) {
        if (slope.isDouble()) {
            for (int i = 0; i < n; i++) dIn.set(i, dOut.get(i) * slope.get(i));
            return;
        }
        float[][] c = CHUNKS.get();
        float[] s = c[0];
        float[] d = c[1];
        for (int from = 0; from < n; from += CHUNK) {
            int len = Math.min(CHUNK, n - from);
            slope.read(from, s, 0, len);
            dOut.read(from, d, 0, len);
            for (int i = 0; i < len; i++) d[i] *= s[i];
            dIn.write(from, d, 0, len);
        }
    }

    /** erf(x) in float arithmetic: x·p(x²)/q(x²) on x clamped to [−4, 4]. */
    static float erf(float a) {
        float x = Math.max(-4f, Math.min(4f, a));
        float x2 = x * x;
        float p = -2.72614225801306e-10f;
        p = p * x2 + 2.77068142495902e-08f;
        p = p * x2 + -2.10102402082508e-06f;
        p = p * x2 + -5.69250639462346e-05f;
        p = p * x2 + -7.34990630326855e-04f;
        p = p * x2 + -2.95459980854025e-03f;
        p = p * x2 + -1.60960333262415e-02f;
        float q = -1.45660718464996e-05f;
        q = q * x2 + -2.13374055278905e-04f;
        q = q * x2 + -1.68282697438203e-03f;
        q = q * x2 + -7.37332916720468e-03f;
        q = q * x2 + -1.42647390514189e-02f;
        return x * p / q;
    }
}
