package onebyte.core.perturbation;

import java.util.SplittableRandom;

/**
 * The values of {@code new SplittableRandom(seed).nextGaussian()}, called once per value, bit for
 * bit, in about 0.6 of the time (BENCHMARKS.md, "Gaussian z with the same bits"): the generator's
 * outputs and the ziggurat's common case are computed in one loop here, with no call per value.
 * Used by {@link PerturbationStream}.
 *
 * <p><b>Why the values are the same.</b> {@code new SplittableRandom(seed)} is SplitMix (Steele,
 * Lea and Flood, as its Javadoc says): output k (k = 0, 1, ...) is {@code mix64(seed + (k+1)·γ)}
 * with the golden gamma γ and the SplitMix64 finaliser ({@link SeedMixer#finalise}); this loop
 * computes the same longs. Java 17's
 * {@code nextGaussian} (a modified ziggurat) reads one long u and, when its low byte names one of
 * the ziggurat's inner layers (over 98 % of calls), returns {@code x[layer] * (double) u} without
 * reading further. The layer constants x[layer] are not copied from the JDK: they are measured
 * from it once, at class load, by asking the public {@code nextGaussian} for the value of a chosen
 * u = 2^62 + layer (whose double is exactly 2^62, so the answer divided by 2^62 is x[layer]
 * exactly), found by inverting mix64. A layer counts as inner only if that call read exactly one
 * long and its answer scales exactly with u (checked at u = 2^61 + layer and −2^62 + layer as
 * well). Every other value — the overhang and tail cases — is drawn by the JDK itself: a
 * {@code SplittableRandom} positioned at that long draws it, and the number of longs it read is
 * found by matching its next output against the stream. {@code SplittableGaussianTest} and
 * {@code PerturbationStreamTest} compare the result with {@code SplittableRandom} over whole
 * chunks of many seeds.
 *
 * <p>An instance is a cursor over one seed's values and is not thread-safe.
 */
final class SplittableGaussian {
    /** SplittableRandom's default gamma (the golden ratio in 64-bit fixed point). */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** x[layer] for the layers answered from one long, indexes [0, INNER_LAYERS); NaN after. */
    private static final double[] LAYER_X = new double[256];
    private static final int INNER_LAYERS = measureInnerLayers(LAYER_X);

    /** The generator's state before its next output: next output = mix64(state + γ). */
    private long state;

    /** A cursor at the first value of {@code new SplittableRandom(seed)}. */
    SplittableGaussian(long seed) {
        this.state = seed;
    }

    /** Number of low-byte layers answered from one long by this JDK (253 on Java 17). */
    static int innerLayers() {
        return INNER_LAYERS;
    }

    /** Writes the next n values, each {@code (float) nextGaussian()}, to out[off, off + n). */
    void nextFloats(float[] out, int off, int n) {
        if (n < 0 || off < 0 || off + n > out.length) {
            throw new IndexOutOfBoundsException("out[" + off + ", " + (off + n) + ") of " + out.length);
        }
        long s = state;
        for (int j = 0; j < n; j++) {
            s += GOLDEN_GAMMA;
            long first = SeedMixer.finalise(s);
            int layer = (int) first & 0xFF;
            if (layer < INNER_LAYERS) {
                out[off + j] = (float) (LAYER_X[layer] * first);
            } else {
                s = drawRare(out, off + j, s - GOLDEN_GAMMA);
            }
        }
        state = s;
    }

    /**
     * The JDK's own value for a generator at {@code start} into out[at]; returns the state after
     * it, found by matching the generator's next output against the stream.
     */
    private static long drawRare(float[] out, int at, long start) {
        SplittableRandom rng = new SplittableRandom(start);
        out[at] = (float) rng.nextGaussian();
        long next = rng.nextLong();
        long s = start + 2 * GOLDEN_GAMMA; // a rare value reads at least its first long
        for (int read = 1; read < 1 << 20; read++) {
            if (SeedMixer.finalise(s) == next) {
                return s - GOLDEN_GAMMA;
            }
            s += GOLDEN_GAMMA;
        }
        throw new IllegalStateException("nextGaussian read more than 2^20 longs from state " + start);
    }

    /**
     * Fills x[layer] for each layer answered from one long and returns how many leading layers
     * are; a layer that fails any check, and every layer after it, is left to the JDK's own draw.
     */
    private static int measureInnerLayers(double[] x) {
        java.util.Arrays.fill(x, Double.NaN);
        for (int layer = 0; layer < 256; layer++) {
            double at62 = oneLongGaussian((1L << 62) | layer);
            double at61 = oneLongGaussian((1L << 61) | layer);
            double atMinus62 = oneLongGaussian(-(1L << 62) | layer);
            boolean scales = at62 == at62 && at61 * 2 == at62 && atMinus62 == -at62 && at62 != 0;
            if (!scales) {
                return layer;
            }
            x[layer] = at62 * 0x1p-62;
        }
        return 256;
    }

    /** nextGaussian() of a generator whose first output is u, or NaN if it read more than u. */
    private static double oneLongGaussian(long u) {
        long start = unfinalise(u) - GOLDEN_GAMMA;
        SplittableRandom rng = new SplittableRandom(start);
        double g = rng.nextGaussian();
        return rng.nextLong() == SeedMixer.finalise(start + 2 * GOLDEN_GAMMA) ? g : Double.NaN;
    }

    /** The inverse of {@link SeedMixer#finalise}. */
    static long unfinalise(long z) {
        z = unxorShift(z, 31) * inverseOdd(0x94D049BB133111EBL);
        z = unxorShift(z, 27) * inverseOdd(0xBF58476D1CE4E5B9L);
        return unxorShift(z, 30);
    }

    /** x with y = x ^ (x >>> k), for 0 < k < 64. */
    private static long unxorShift(long y, int k) {
        long x = y;
        for (int i = 0; i * k < 64; i++) {
            x = y ^ (x >>> k);
        }
        return x;
    }

    /** The multiplicative inverse of an odd a modulo 2^64 (Newton's iteration). */
    private static long inverseOdd(long a) {
        long x = a; // correct to 3 bits; each step doubles that
        for (int i = 0; i < 5; i++) {
            x *= 2 - a * x;
        }
        return x;
    }
}
