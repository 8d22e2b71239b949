package onebyte.core.perturbation;

import onebyte.core.spsa.SpsaEstimatorTest;

import onebyte.core.tensor.ParameterVector;

import static org.junit.jupiter.api.Assertions.*;

import java.util.NoSuchElementException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PerturbedSlicesTest {
    /** Slices that straddle chunk boundaries (chunk 100), shorter and longer than a chunk. */
    private static final int[] LENGTHS = {37, 100, 163, 1, 250, 99, 350};

    private static int total() {
        int d = 0;
        for (int len : LENGTHS) {
            d += len;
        }
        return d;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void slicesAreThetaPlusAndMinusEpsZBitForBitAndThetaIsUntouched(int threads) {
        int d = total();
        for (Distribution dist : Distribution.values()) {
            PerturbationStream stream = new PerturbationStream(dist, 100);
            ParameterVector theta = SpsaEstimatorTest.randomTheta(d, 21);
            ParameterVector before = theta.copy();
            float eps = 1e-3f;
            float[] z = new float[d];
            stream.fill(99L, z, 1);
            float[] t = theta.toArray();
            PerturbedSlices slices = new PerturbedSlices(stream, 350, threads);
            assertEquals(threads >= 2, slices.prefetches());
            for (int pass = 0; pass < 2; pass++) { // buffers are reused across passes
                try (PerturbedSlices.Pass p = slices.start(theta, 99L, eps, LENGTHS)) {
                    int offset = 0;
                    for (int len : LENGTHS) {
                        PerturbedSlices.Slice s = p.next();
                        assertEquals(offset, s.offset());
                        assertEquals(len, s.length());
                        assertEquals(350, s.plus().length());
                        assertEquals(350, s.minus().length());
                        float[] plus = s.plus().toFloatVector();
                        float[] minus = s.minus().toFloatVector();
                        for (int i = 0; i < len; i++) {
                            int j = offset + i;
                            assertEquals(Float.floatToRawIntBits(t[j] + eps * z[j]), Float.floatToRawIntBits(plus[i]), dist + " +" + j);
                            assertEquals(Float.floatToRawIntBits(t[j] - eps * z[j]), Float.floatToRawIntBits(minus[i]), dist + " -" + j);
                        }
                        offset += len;
                    }
                    assertThrows(NoSuchElementException.class, p::next);
                }
            }
            assertTrue(theta.bitEquals(before));
        }
    }

    @Test
    void aPassClosedEarlyStopsItsHelperAndTheNextPassWorks() {
        int d = total();
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 100);
        ParameterVector theta = SpsaEstimatorTest.randomTheta(d, 5);
        PerturbedSlices slices = new PerturbedSlices(stream, 350, 2);
        try (PerturbedSlices.Pass p = slices.start(theta, 1L, 1e-3f, LENGTHS)) {
            p.next();
            assertThrows(IllegalStateException.class, () -> slices.start(theta, 1L, 1e-3f, LENGTHS));
        }
        try (PerturbedSlices.Pass p = slices.start(theta, 2L, 1e-3f, LENGTHS)) {
            for (int k = 0; k < LENGTHS.length; k++) {
                p.next();
            }
            p.close();
            assertThrows(IllegalStateException.class, p::next);
        }
    }

    @Test
    void manyPassesWithRandomSlicesAndEarlyClosesKeepTheValuesExact() {
        int d = 3000;
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 128);
        ParameterVector theta = SpsaEstimatorTest.randomTheta(d, 13);
        PerturbedSlices slices = new PerturbedSlices(stream, 400, 2);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] z = new float[d];
        float[] t = theta.toArray();
        for (int pass = 0; pass < 300; pass++) {
            java.util.List<Integer> lengths = new java.util.ArrayList<>();
            for (int left = d; left > 0; ) {
                int len = Math.min(left, 1 + r.nextInt(400));
                lengths.add(len);
                left -= len;
            }
            int[] lens = lengths.stream().mapToInt(Integer::intValue).toArray();
            long seed = r.nextLong();
            stream.fill(seed, z, 1);
            int stopAfter = r.nextInt(4) == 0 ? r.nextInt(lens.length) : lens.length;
            try (PerturbedSlices.Pass p = slices.start(theta, seed, 1e-3f, lens)) {
                for (int k = 0; k < stopAfter; k++) {
                    PerturbedSlices.Slice s = p.next();
                    if (r.nextInt(3) == 0) {
                        Thread.onSpinWait(); // let the helper get ahead or fall behind
                    }
                    float[] plus = s.plus().toFloatVector();
                    float[] minus = s.minus().toFloatVector();
                    for (int i = 0; i < s.length(); i++) {
                        int j = s.offset() + i;
                        assertEquals(Float.floatToRawIntBits(t[j] + 1e-3f * z[j]), Float.floatToRawIntBits(plus[i]), "pass " + pass + " +" + j);
                        assertEquals(Float.floatToRawIntBits(t[j] - 1e-3f * z[j]), Float.floatToRawIntBits(minus[i]), "pass " + pass + " -" + j);
                    }
                }
            }
        }
    }

    @Test
    void helperCpuTimeIsChargedToTheCaller() {
        int d = 1 << 20;
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 1 << 16);
        ParameterVector theta = new ParameterVector(d);
        int[] lengths = new int[16];
        java.util.Arrays.fill(lengths, d / 16);
        PerturbedSlices slices = new PerturbedSlices(stream, d / 16, 2);
        long before = HelperCpuTime.chargedToCurrentThreadNanos();
        try (PerturbedSlices.Pass p = slices.start(theta, 3L, 1e-3f, lengths)) {
            for (int k = 0; k < lengths.length; k++) {
                p.next();
            }
        }
        // generating 2^20 Gaussians takes milliseconds of the helper's CPU
        assertTrue(HelperCpuTime.chargedToCurrentThreadNanos() - before > 100_000);
    }

    @Test
    void rejectsSlicesThatDoNotCoverTheta() {
        PerturbedSlices slices = new PerturbedSlices(new PerturbationStream(Distribution.RADEMACHER, 64), 10, 1);
        ParameterVector theta = new ParameterVector(20);
        assertThrows(IllegalArgumentException.class, () -> slices.start(theta, 1L, 1e-3f, new int[] {10, 9}));
        assertThrows(IllegalArgumentException.class, () -> slices.start(theta, 1L, 1e-3f, new int[] {10, 11}));
        assertThrows(IllegalArgumentException.class, () -> slices.start(theta, 1L, 1e-3f, new int[] {9, 11}));
        assertEquals(8L * 10 + 4L * 64, slices.bufferBytes());
        assertEquals(2 * 12L * 10 + 4L * 64, new PerturbedSlices(new PerturbationStream(Distribution.RADEMACHER, 64), 10, 2).bufferBytes());
    }
}
