package onebyte.core.perturbation;

import java.util.SplittableRandom;

/**
 * The shared-randomness direction z = Z(seed) ∈ R^d (SPEC §2 step 2), produced in fixed-size
 * chunks so that chunks can be generated in parallel and any slice regenerated on its own.
 *
 * <p><b>Definition (part of a run's identity).</b> Chunk c covers elements
 * [c·chunkSize, min((c+1)·chunkSize, d)). Its elements come, in index order, from one
 * {@code new SplittableRandom(SeedMixer.chunkSeed(seed, c))}:
 * <ul>
 *   <li>{@link Distribution#GAUSSIAN}: element j is {@code (float) rng.nextGaussian()}, one call
 *       per element (Java 17's {@code RandomSupport.computeNextGaussian}, a modified ziggurat),
 *       computed by {@link SplittableGaussian} with exactly those bits.
 *       That algorithm calls {@code Math.exp} only in its rare overhang/tail acceptance tests, so
 *       a JVM whose {@code Math.exp} differs by an ulp could flip one acceptance with probability
 *       around 2^-50 per element; every other step is exact integer and double arithmetic. The
 *       golden-value test pins the output so a JDK change is caught.</li>
 *   <li>{@link Distribution#RADEMACHER}: element j is bit (j mod 64) of the (j div 64)-th
 *       {@code rng.nextLong()} of the chunk, mapped 0 → +1f, 1 → −1f.</li>
 * </ul>
 * Hence the values do not depend on d (beyond where the last chunk stops), on the thread count,
 * or on which chunks are generated: the first len elements of a chunk are the same for every len.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PerturbationStream {
    /** The default chunk size in elements (256 KiB of floats). */
    public static final int DEFAULT_CHUNK_SIZE = 65536;

    /** Gaussian elements drawn at a time by {@link #accumulateChunk} (2 KiB, in the first-level cache). */
    private static final int Z_BLOCK = 512;

    private final Distribution distribution;
    private final int chunkSize;

    /** @param chunkSize elements per chunk, at least 64 (and part of the run's identity) */
    public PerturbationStream(Distribution distribution, int chunkSize) {
        if (distribution == null) {
            throw new IllegalArgumentException("distribution must not be null");
        }
        if (chunkSize < 64) {
            throw new IllegalArgumentException("chunk size must be >= 64, got " + chunkSize);
        }
        this.distribution = distribution;
        this.chunkSize = chunkSize;
    }

    /** A stream with {@link #DEFAULT_CHUNK_SIZE}. */
    public PerturbationStream(Distribution distribution) {
        this(distribution, DEFAULT_CHUNK_SIZE);
    }

    public Distribution distribution() {
        return distribution;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Number of chunks covering d elements. */
    public int chunks(int d) {
        return (int) ((d + (long) chunkSize - 1) / chunkSize);
    }

    /** Length of chunk c of a d-element direction: min(chunkSize, d − c·chunkSize). */
    public int chunkLength(int d, int chunk) {
        return Math.min(chunkSize, d - chunk * chunkSize);
    }

    /**
     * Writes the first {@code len} elements of chunk {@code chunk} of Z(seed) into
     * out[off, off + len). For a d-element direction pass len = {@link #chunkLength}(d, chunk).
     */
    public void fillChunk(long seed, int chunk, float[] out, int off, int len) {
        if (chunk < 0) {
            throw new IllegalArgumentException("chunk must be >= 0, got " + chunk);
        }
        if (len < 0 || len > chunkSize) {
            throw new IllegalArgumentException("len must be in [0, " + chunkSize + "], got " + len);
        }
        if (off < 0 || off + len > out.length) {
            throw new IndexOutOfBoundsException("out[" + off + ", " + (off + len) + ") of " + out.length);
        }
        if (distribution == Distribution.GAUSSIAN) {
            new SplittableGaussian(SeedMixer.chunkSeed(seed, chunk)).nextFloats(out, off, len);
        } else {
            fillRademacher(new SplittableRandom(SeedMixer.chunkSeed(seed, chunk)), out, off, len);
        }
    }

    /**
     * Fused generate-and-accumulate used by the replica update: {@code acc[i] = acc[i] - c * z[i]}
     * for the first len elements z of chunk {@code chunk} of Z(seed), in float32. Bit-identical to
     * {@link #fillChunk} into a buffer followed by that loop (for Rademacher, c·(±1) = ±c exactly,
     * so the sign is applied to c's bits directly), without a chunk-sized buffer.
     */
    public void accumulateChunk(long seed, int chunk, float[] acc, int len, float c) {
        if (chunk < 0 || len < 0 || len > chunkSize || len > acc.length) {
            throw new IllegalArgumentException("bad chunk " + chunk + " / len " + len);
        }
        if (distribution == Distribution.GAUSSIAN) {
            SplittableGaussian gaussian = new SplittableGaussian(SeedMixer.chunkSeed(seed, chunk));
            float[] z = new float[Z_BLOCK];
            for (int j = 0; j < len; j += Z_BLOCK) {
                int n = Math.min(Z_BLOCK, len - j);
                gaussian.nextFloats(z, 0, n);
                for (int t = 0; t < n; t++) {
                    acc[j + t] = acc[j + t] - c * z[t];
                }
            }
            return;
        }
        SplittableRandom rng = new SplittableRandom(SeedMixer.chunkSeed(seed, chunk));
        final int cb = Float.floatToRawIntBits(c);
        for (int j = 0; j < len; j += 64) {
            long bits = rng.nextLong();
            int m = Math.min(64, len - j);
            for (int b = 0; b < m; b++) {
                acc[j + b] = acc[j + b] - Float.intBitsToFloat(cb ^ ((int) (bits >>> b) & 1) << 31);
            }
        }
    }

    private static void fillRademacher(SplittableRandom rng, float[] out, int off, int len) {
        final int one = Float.floatToRawIntBits(1f);
        for (int j = 0; j < len; j += 64) {
            long bits = rng.nextLong();
            int m = Math.min(64, len - j);
            int base = off + j;
            for (int b = 0; b < m; b++) {
                out[base + b] = Float.intBitsToFloat(one | ((int) (bits >>> b) & 1) << 31);
            }
        }
    }

    /** The whole direction Z(seed) into out (d = out.length), chunks generated on all processors. */
    public void fill(long seed, float[] out) {
        fill(seed, out, Parallel.defaultThreads());
    }

    /** The whole direction Z(seed) into out on {@code threads} threads; same bits for any count. */
    public void fill(long seed, float[] out, int threads) {
        int d = out.length;
        Parallel.run(chunks(d), threads, (w, c) -> fillChunk(seed, c, out, c * chunkSize, chunkLength(d, c)));
    }

    @Override
    public String toString() {
        return "PerturbationStream[" + distribution.id() + ", chunk=" + chunkSize + "]";
    }
}
