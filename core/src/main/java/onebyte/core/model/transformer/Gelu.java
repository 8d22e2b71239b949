package onebyte.core.model.transformer;

import org.apache.commons.math3.special.Erf;

/**
 * GELU in its erf form, {@code gelu(u) = u·Φ(u) = ½u(1 + erf(u/√2))} (BERT's and GPT-2's exact
 * GELU, not the tanh approximation), and its derivative {@code Φ(u) + u·φ(u)}. A float32 buffer
 * uses erf from Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under float32's
 * resolution near 1); a float64 buffer uses commons-math's erf (double precision, for the gradient
 * check). The backward pass uses the same erf as the forward pass of its buffer.
 */
final class Gelu {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private Gelu() {}

    /** out[i] = gelu(in[i]) for i < n (in and out may be the same buffer). */
    static void forward(DenseBuffer in, DenseBuffer out, int n) {
        boolean exact = in.isDouble();
        for (int i = 0; i < n; i++) {
            double u = in.get(i);
            out.set(i, 0.5 * u * (1 + erf(u * INV_SQRT2, exact)));
        }
    }

    /** dIn[i] = dOut[i]·gelu'(in[i]) for i < n (dIn and dOut may be the same buffer). */
    static void backward(DenseBuffer in, DenseBuffer dOut, DenseBuffer dIn, int n) {
        boolean exact = in.isDouble();
        for (int i = 0; i < n; i++) {
            double u = in.get(i);
            double cdf = 0.5 * (1 + erf(u * INV_SQRT2, exact));
            dIn.set(i, dOut.get(i) * (cdf + u * INV_SQRT_2PI * Math.exp(-0.5 * u * u)));
        }
    }

    static double erf(double x, boolean exact) {
        if (exact) return Erf.erf(x);
        double ax = Math.abs(x);
        double t = 1 / (1 + 0.3275911 * ax);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1 - poly * Math.exp(-ax * ax);
        return x < 0 ? -y : y;
    }
}
