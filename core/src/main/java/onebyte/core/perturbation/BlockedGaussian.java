package onebyte.core.perturbation;

import java.util.SplittableRandom;

/**
 * The values of {@code new SplittableRandom(seed).nextGaussian()}, called once per value, bit for
 * bit, drawn in blocks: first a block of the generator's 64-bit outputs, then one pass that turns
 * them into Gaussians. Used by {@link PerturbationStream} because the one-call-per-value loop is
 * about twice as slow (the long-to-double conversion of each call waits on the previous one).
 *
 * <p><b>Why the values are the same.</b> {@code SplittableRandom(seed)} is documented to produce
 * output k (k = 0, 1, ...) as {@code mix64(seed + (k+1)·γ)} with the golden gamma γ and the
 * SplitMix64 finaliser ({@link SeedMixer#finalise}), so the block stage computes the same longs
 * directly. Java 17's {@code nextGaussian} (a modified ziggurat) reads one long u and, when its
 * low byte names one of the ziggurat's inner layers (over 98 % of calls), returns
 * {@code x[layer] * (double) u} without reading further. The layer constants x[layer] are not
 * copied from the JDK: they are measured from it once, at class load, by asking the public
 * {@code nextGaussian} for the value of a chosen u = 2^62 + layer (whose double is exactly 2^62, so
 * the answer divided by 2^62 is x[layer] exactly), found by inverting mix64. A layer counts as
 * inner only if that call read exactly one long and its answer scales exactly with u (checked at
 * u = 2^61 + layer and −2^62 + layer as well). Every other value — the overhang and tail cases —
 * is taken from the JDK itself: a {@code SplittableRandom} positioned at that long draws it, and
 * the number of longs it read is found by matching its next output against the stream.
 * {@code PerturbationStreamTest} and {@code BlockedGaussianTest} compare the result with
 * {@code SplittableRandom} over whole chunks of many seeds.
 *
 * <p>An instance is a cursor over one seed's values and is not thread-safe.
 */
final class BlockedGaussian {
    /** SplittableRandom's default gamma (the golden ratio in 64-bit fixed point). */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** Values per block: the longs (4 KiB) and floats stay in the first-level cache. */
    static final int BLOCK = 512;

    /** x[layer] for the layers answered from one long, indexes [0, INNER_LAYERS). */
    private static final double[] LAYER_X = new double[256];

    static {
        java.util.Arrays.fill(LAYER_X, Double.NaN);
    }

    private static final int INNER_LAYERS = measureInnerLayers(LAYER_X);

    private final long[] longs = new long[BLOCK];
    private final float[] innerValues = new float[BLOCK];
    private int lastRareLongs;
    /** The generator's state before its next output: next output = mix64(state + γ). */
    private long state;

    /** A cursor at the first value of {@code new SplittableRandom(seed)}. */
    BlockedGaussian(long seed) {
        this.state = seed;
    }

    /** Number of low-byte layers answered from one long by this JDK (253 on Java 17). */
    static int innerLayers() {
        return INNER_LAYERS;
    }

    /** Writes the next n ≤ {@link #BLOCK} values, each {@code (float) nextGaussian()}, to out[off, off + n). */
    void nextFloats(float[] out, int off, int n) {
        if (n < 0 || n > BLOCK) {
            throw new IllegalArgumentException("n must be in [0, " + BLOCK + "], got " + n);
        }
        final long[] u = longs;
        final float[] v = innerValues;
        long s = state;
        for (int t = 0; t < n; t++) {
            s += GOLDEN_GAMMA;
            u[t] = SeedMixer.finalise(s);
        }
        // Pass 1, no branches: every long as if its layer were inner (a rare one gives NaN here).
        for (int t = 0; t < n; t++) {
            long first = u[t];
            v[t] = (float) (LAYER_X[(int) first & 0xFF] * first);
        }
        // Pass 2: copy each run of inner longs; a rare long starts a value the JDK draws, which
        // may read further longs (skipped here, rare or not).
        int t = 0;
        int j = 0;
        while (j < n && t < n) {
            int end = t;
            int limit = Math.min(n, t + n - j);
            while (end < limit && ((int) u[end] & 0xFF) < INNER_LAYERS) {
                end++;
            }
            System.arraycopy(v, t, out, off + j, end - t);
            j += end - t;
            t = end;
            if (j < n && t < n) {
                out[off + j++] = drawRare(t);
                t += lastRareLongs;
            }
        }
        // Rare values read more than one long each, so the last few values may start past the
        // n longs drawn above: those compute their longs directly.
        for (; j < n; j++) {
            long first = SeedMixer.finalise(state + (t + 1) * GOLDEN_GAMMA);
            int layer = (int) first & 0xFF;
            if (layer < INNER_LAYERS) {
                out[off + j] = (float) (LAYER_X[layer] * first);
                t++;
            } else {
                out[off + j] = drawRare(t);
                t += lastRareLongs;
            }
        }
        state += t * GOLDEN_GAMMA;
    }

    /** The JDK's own value starting at long t of this block; sets {@link #lastRareLongs}. */
    private float drawRare(int t) {
        long at = state + t * GOLDEN_GAMMA;
        SplittableRandom rng = new SplittableRandom(at);
        float value = (float) rng.nextGaussian();
        lastRareLongs = longsRead(rng, at);
        return value;
    }

    /** How many outputs a generator created at {@code start} has given, found from its next one. */
    private static int longsRead(SplittableRandom rng, long start) {
        long next = rng.nextLong();
        long s = start + GOLDEN_GAMMA;
        for (int read = 0; read < 1 << 20; read++) {
            if (SeedMixer.finalise(s) == next) {
                return read;
            }
            s += GOLDEN_GAMMA;
        }
        throw new IllegalStateException("nextGaussian read more than 2^20 longs from seed " + start);
    }

    /**
     * Fills x[layer] for each layer answered from one long and returns how many leading layers
     * are; a layer that fails any check, and every layer after it, is left to the JDK's own draw.
     */
    private static int measureInnerLayers(double[] x) {
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
