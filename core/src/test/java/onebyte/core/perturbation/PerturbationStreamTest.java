package onebyte.core.perturbation;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PerturbationStreamTest {
    private static final int CHUNK = 1024;
    private static final int D = 10 * CHUNK + 77; // last chunk partial

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }

    private static float[] first8(PerturbationStream s, long seed, int chunk) {
        float[] out = new float[8];
        s.fillChunk(seed, chunk, out, 0, 8);
        return out;
    }

    @Test
    void goldenValuesPinTheGeneratorAcrossJdksAndMachines() {
        PerturbationStream g = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        assertArrayEquals(new int[] {0x3D346780, 0xBF619FFC, 0x3F8329BA, 0xBD8847EA, 0x3F731FE1, 0xBEDA0652, 0xBF9E86BA, 0xC020933B},
                bits(first8(g, 42L, 0)));
        assertArrayEquals(new int[] {0xBD2549F6, 0xBEF0CC5C, 0x3F892715, 0xBFB15414, 0x3F967577, 0xBFADFEB9, 0x3EDC6E07, 0x3EFAD83E},
                bits(first8(g, 42L, 5)));
        PerturbationStream r = new PerturbationStream(Distribution.RADEMACHER, CHUNK);
        assertArrayEquals(new float[] {-1, 1, 1, 1, 1, -1, -1, -1}, first8(r, 42L, 0));
        assertArrayEquals(new float[] {-1, 1, -1, -1, -1, -1, 1, -1}, first8(r, 42L, 5));
        assertEquals(-5616453797998995340L, SeedMixer.contributionSeed(42L, 7, 3L, 1));
        assertEquals(-8525193596747229179L, SeedMixer.chunkSeed(42L, 5));
    }

    @Test
    void goldenHashOfALargeGaussianDrawCoversTheRareZigguratPaths() throws Exception {
        // 1M draws exercise the ziggurat's overhang and tail branches (about 1-2% of draws).
        float[] z = new float[1 << 20];
        new PerturbationStream(Distribution.GAUSSIAN, PerturbationStream.DEFAULT_CHUNK_SIZE).fill(7L, z, 2);
        assertEquals(GOLDEN_GAUSSIAN_1M_SEED7, DirectionHashMain.hash(z));
    }

    static final String GOLDEN_GAUSSIAN_1M_SEED7 = "d610282a3c47dedc0ce00f2024583f0c8eec30bd283f831857f983a7a1534881";

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void sameBitsWithOneTwoAndThreeThreads(Distribution dist) {
        PerturbationStream s = new PerturbationStream(dist, CHUNK);
        float[] a = new float[D];
        float[] b = new float[D];
        float[] c = new float[D];
        s.fill(123L, a, 1);
        s.fill(123L, b, 2);
        s.fill(123L, c, 3);
        assertArrayEquals(bits(a), bits(b));
        assertArrayEquals(bits(a), bits(c));
        float[] other = new float[D];
        s.fill(124L, other, 2);
        assertFalse(Arrays.equals(bits(a), bits(other)), "a different seed must give a different direction");
    }

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void anyChunkRegeneratedAloneEqualsThatSliceOfTheFullDraw(Distribution dist) {
        PerturbationStream s = new PerturbationStream(dist, CHUNK);
        float[] full = new float[D];
        s.fill(99L, full, 2);
        assertEquals(11, s.chunks(D));
        assertEquals(77, s.chunkLength(D, 10));
        for (int c : new int[] {0, 3, 10}) {
            int len = s.chunkLength(D, c);
            float[] alone = new float[len + 5];
            s.fillChunk(99L, c, alone, 5, len);
            assertArrayEquals(bits(Arrays.copyOfRange(full, c * CHUNK, c * CHUNK + len)), bits(Arrays.copyOfRange(alone, 5, 5 + len)),
                    "chunk " + c);
        }
        // prefix stability: a shorter vector is a prefix of a longer one
        float[] shorter = new float[3 * CHUNK + 10];
        s.fill(99L, shorter, 1);
        assertArrayEquals(bits(Arrays.copyOf(full, shorter.length)), bits(shorter));
    }

    @Test
    void chunksAreIndependentDrawsAndDistributionsLookRight() {
        PerturbationStream g = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        float[] z = new float[200_000];
        g.fill(5L, z, 2);
        double sum = 0;
        double sq = 0;
        for (float f : z) {
            sum += f;
            sq += f * f;
        }
        assertEquals(0.0, sum / z.length, 0.01);
        assertEquals(1.0, sq / z.length, 0.02);
        assertFalse(Arrays.equals(Arrays.copyOfRange(z, 0, CHUNK), Arrays.copyOfRange(z, CHUNK, 2 * CHUNK)));

        PerturbationStream r = new PerturbationStream(Distribution.RADEMACHER, CHUNK);
        float[] s = new float[200_000 + 13];
        r.fill(5L, s, 2);
        int plus = 0;
        for (float f : s) {
            assertTrue(f == 1f || f == -1f, "rademacher entry " + f);
            plus += f > 0 ? 1 : 0;
        }
        assertEquals(0.5, plus / (double) s.length, 0.005);
    }

    @Test
    void sameBitsInASeparateJvmProcess() throws Exception {
        // Children run with other execution modes (interpreter only; C1 only) and 2 threads.
        for (Distribution dist : Distribution.values()) {
            float[] z = new float[D];
            new PerturbationStream(dist, CHUNK).fill(2026L, z, 1);
            String here = DirectionHashMain.hash(z);
            for (String mode : new String[] {"-Xint", "-XX:TieredStopAtLevel=1"}) {
                String there = runChild(mode, dist.id(), String.valueOf(CHUNK), String.valueOf(D), "2026", "2");
                assertEquals(here, there, dist + " direction differs in a child JVM run with " + mode);
            }
        }
        // The large draw, whose ziggurat overhang/tail branches call Math.exp, interpreted only.
        assertEquals(GOLDEN_GAUSSIAN_1M_SEED7, runChild("-Xint", "gaussian", String.valueOf(PerturbationStream.DEFAULT_CHUNK_SIZE),
                String.valueOf(1 << 20), "7", "2"));
    }

    private static String runChild(String jvmFlag, String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                jvmFlag, DirectionHashMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), "child JVM failed: " + out);
        return out;
    }

    @Test
    void parseAndBadArguments() {
        assertEquals(Distribution.GAUSSIAN, Distribution.parse(" Gaussian "));
        assertEquals(Distribution.RADEMACHER, Distribution.parse("rademacher"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Distribution.parse("uniform"));
        assertTrue(e.getMessage().contains("uniform"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Distribution.parse(null));
        assertThrows(IllegalArgumentException.class, () -> new PerturbationStream(Distribution.GAUSSIAN, 8));
        PerturbationStream s = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        assertThrows(IllegalArgumentException.class, () -> s.fillChunk(1L, 0, new float[2 * CHUNK], 0, CHUNK + 1));
        assertThrows(IllegalArgumentException.class, () -> s.fill(1L, new float[10], 0));
        assertEquals(PerturbationStream.DEFAULT_CHUNK_SIZE, new PerturbationStream(Distribution.RADEMACHER).chunkSize());
    }
}
