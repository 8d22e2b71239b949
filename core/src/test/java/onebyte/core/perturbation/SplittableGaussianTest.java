package onebyte.core.perturbation;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SplittableGaussian against the definition it replaces: {@code (float) rng.nextGaussian()}, one call a value. */
class SplittableGaussianTest {
    private static final int CHUNK = PerturbationStream.DEFAULT_CHUNK_SIZE;

    /** Index of the first value whose bits differ from SplittableRandom's, or -1. */
    private static int firstDifference(long seed, float[] values) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int j = 0; j < values.length; j++) {
            if (Float.floatToRawIntBits((float) rng.nextGaussian()) != Float.floatToRawIntBits(values[j])) {
                return j;
            }
        }
        return -1;
    }

    @Test
    void wholeChunksOfManySeedsHaveSplittableRandomsBits() {
        // 240 chunks of 65,536: 15.7M values, about 1.2 % of them from the overhang and tail.
        float[] z = new float[CHUNK];
        long extra = 0;
        for (int i = 0; i < 240; i++) {
            long seed = SeedMixer.chunkSeed(0x5EEDL + i, i);
            new SplittableGaussian(seed).nextFloats(z, 0, CHUNK);
            assertEquals(-1, firstDifference(seed, z), "seed " + seed);
            extra += extraLongs(seed, CHUNK);
        }
        assertTrue(extra > 150_000, "the draw must exercise the rare ziggurat paths; their extra longs: " + extra);
    }

    /** Longs that the first len nextGaussian calls read beyond one each: the rare values' extra reads. */
    private static long extraLongs(long seed, int len) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int j = 0; j < len; j++) {
            rng.nextGaussian();
        }
        long next = rng.nextLong();
        long state = seed + (len + 1) * SplittableGaussian.GOLDEN_GAMMA;
        for (long extra = 0; ; extra++, state += SplittableGaussian.GOLDEN_GAMMA) {
            if (SeedMixer.finalise(state) == next) {
                return extra;
            }
        }
    }

    @Test
    void callsOfAnyLengthContinueTheSameStream() {
        long seed = 31L;
        float[] z = new float[20_000];
        SplittableGaussian g = new SplittableGaussian(seed);
        int[] lengths = {1, 2, 3, 511, 512, 7, 64, 500, 0, 333};
        int at = 0;
        for (int k = 0; at < z.length; k++) {
            int n = Math.min(lengths[k % lengths.length], z.length - at);
            g.nextFloats(z, at, n);
            at += n;
        }
        assertEquals(-1, firstDifference(seed, z));
        assertThrows(IndexOutOfBoundsException.class, () -> g.nextFloats(new float[1024], 1000, 25));
    }

    @Test
    void innerLayersAreTheZigguratsFastPathAndUnfinaliseInvertsFinalise() {
        assertEquals(253, SplittableGaussian.innerLayers(), "Java 17's ziggurat answers 253 of 256 layers from one long");
        SplittableRandom r = new SplittableRandom(8L);
        for (int i = 0; i < 10_000; i++) {
            long x = r.nextLong();
            assertEquals(x, SplittableGaussian.unfinalise(SeedMixer.finalise(x)));
        }
        assertEquals(0L, SplittableGaussian.unfinalise(SeedMixer.finalise(0L)));
        assertEquals(-1L, SplittableGaussian.unfinalise(SeedMixer.finalise(-1L)));
    }

    @Test
    void accumulateChunkEqualsFillThenTheSameFloatLoop() {
        PerturbationStream s = new PerturbationStream(Distribution.GAUSSIAN);
        for (int len : new int[] {CHUNK, 1000, 77}) {
            float[] z = new float[len];
            s.fillChunk(9L, 3, z, 0, len);
            float[] expected = new float[len];
            float[] acc = new float[len];
            for (int j = 0; j < len; j++) {
                expected[j] = acc[j] = 0.25f * j - 3f;
            }
            float c = -0.0123f;
            for (int j = 0; j < len; j++) {
                expected[j] = expected[j] - c * z[j];
            }
            s.accumulateChunk(9L, 3, acc, len, c);
            for (int j = 0; j < len; j++) {
                assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(acc[j]), "len " + len + " element " + j);
            }
        }
    }
}
