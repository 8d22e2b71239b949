package onebyte.core.data;

import java.util.SplittableRandom;

/** Seeded draws used by the data code (Gamma, Dirichlet, permutations). Package-private helpers. */
final class Draws {
    private Draws() {}

    /** Gamma(shape, 1) by Marsaglia–Tsang (with the α < 1 boost). */
    static double gamma(SplittableRandom rng, double shape) {
        if (shape <= 0) throw new IllegalArgumentException("gamma shape must be positive: " + shape);
        if (shape < 1) {
            double u = rng.nextDouble();
            return gamma(rng, shape + 1) * Math.pow(u == 0 ? Double.MIN_VALUE : u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** A Dirichlet(α, ..., α) draw of dimension k. */
    static double[] dirichlet(SplittableRandom rng, double alpha, int k) {
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) sum += p[i] = gamma(rng, alpha);
        if (sum == 0) {
            p[rng.nextInt(k)] = 1;
            return p;
        }
        for (int i = 0; i < k; i++) p[i] /= sum;
        return p;
    }

    /** Fisher–Yates shuffle in place. */
    static void shuffle(SplittableRandom rng, int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static int[] permutation(SplittableRandom rng, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        shuffle(rng, a);
        return a;
    }
}
