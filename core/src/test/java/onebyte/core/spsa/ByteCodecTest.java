package onebyte.core.spsa;

import onebyte.core.perturbation.SeedMixer;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteCodecTest {
    private final Log8Codec log8 = new Log8Codec();

    @Test
    void log8LevelsFollowTheSpec() {
        double rho = Math.pow(1e3 / 1e-4, 1.0 / 126);
        assertEquals(1.1365, rho, 1e-4);
        assertEquals(rho, log8.ratio(), 1e-12);
        assertEquals(0.0, log8.level(0));
        assertEquals(1e-4, log8.level(1));
        assertEquals(1e3, log8.level(127));
        for (int e = 2; e <= 127; e++) {
            assertEquals(rho, log8.level(e) / log8.level(e - 1), 1e-9, "level " + e);
        }
        assertEquals(1e-4 * Math.pow(rho, 9), log8.decode(new byte[] {10}), 1e-15);
        assertEquals(-1e-4 * Math.pow(rho, 9), log8.decode(new byte[] {(byte) 0x8A}), 1e-15);
    }

    @Test
    void decodedValuesArePinnedBitForBit() {
        // StrictMath makes decoding platform-independent; these pins catch a change of the level formula.
        assertEquals(0x3f1dcaadb64b5f18L, Double.doubleToRawLongBits(log8.level(2)));
        assertEquals(0x3fd43d1362484911L, Double.doubleToRawLongBits(log8.level(64)));
        assertEquals(0x408b7f615e85d3a0L, Double.doubleToRawLongBits(log8.level(126)));
        assertEquals(0x402433044e477998L, Double.doubleToRawLongBits(new PaperCodec().decode(new byte[] {0, 37})));
    }

    @Test
    void log8RoundTripIsWithinOneLevelRatio() {
        double rho = log8.ratio();
        SplittableRandom r = new SplittableRandom(1);
        for (int t = 0; t < 20_000; t++) {
            double mag = Math.exp(Math.log(1e-4) + r.nextDouble() * (Math.log(1e3) - Math.log(1e-4)));
            double g = r.nextBoolean() ? mag : -mag;
            double back = log8.decode(log8.encode(g, r.nextLong()));
            assertEquals(Math.signum(g), Math.signum(back), "sign of " + g);
            double ratio = back / g;
            assertTrue(ratio >= 1 / rho * (1 - 1e-12) && ratio <= rho * (1 + 1e-12), g + " decoded as " + back);
        }
        // exact levels are kept exactly, without randomness
        for (int e = 1; e <= 127; e++) {
            double v = log8.level(e);
            assertEquals(e, log8.encode(v, e * 77L)[0]);
            assertEquals(v, log8.decode(log8.encode(v, 3L)));
            assertEquals(-v, log8.decode(log8.encode(-v, 3L)));
        }
    }

    @Test
    void log8StochasticRoundingIsUnbiasedInRange() {
        for (double g : new double[] {0.0123456, -3.3333, 417.0, 2.5e-4, 3e-5 /* below g_min: between 0 and g_min */}) {
            int n = 200_000;
            double sum = 0;
            for (int s = 0; s < n; s++) {
                sum += log8.decode(log8.encode(g, SeedMixer.contributionSeed(9L, 1, s, 0)));
            }
            double mean = sum / n;
            assertEquals(g, mean, 0.01 * Math.abs(g), "mean decode of " + g);
        }
    }

    @Test
    void log8RoundingDependsOnlyOnTheContributionSeed() {
        double g = 0.0123456; // between two levels
        byte lo = log8.encode(g, 0L)[0];
        int differ = 0;
        for (long s = 0; s < 200; s++) {
            byte[] a = log8.encode(g, s);
            assertArrayEquals(a, log8.encode(g, s), "same seed must give the same code");
            differ += a[0] != lo ? 1 : 0;
        }
        assertTrue(differ > 0 && differ < 200, "both neighbouring levels should occur, got " + differ);
    }

    @Test
    void log8ClipsBeyondGMaxAndHandlesZero() {
        assertEquals(1e3, log8.decode(log8.encode(5e7, 1L)));
        assertEquals(-1e3, log8.decode(log8.encode(-Double.MAX_VALUE, 1L)));
        assertArrayEquals(new byte[] {0}, log8.encode(0.0, 1L));
        assertArrayEquals(new byte[] {0}, log8.encode(-0.0, 1L));
        assertEquals(0.0, log8.decode(new byte[] {(byte) 0x80}));
        // tiny values round to 0 or g_min only
        for (long s = 0; s < 50; s++) {
            double v = log8.decode(log8.encode(-1e-9, s));
            assertTrue(v == 0.0 || v == -1e-4, "got " + v);
        }
    }

    @Test
    void everyCodeOfEveryCodecDecodesToAFiniteValue() {
        for (ByteCodec c : new ByteCodec[] {log8, new Log8Codec(1e-6, 10), new SignCodec(), new SignCodec(0.25)}) {
            for (int b = 0; b < 256; b++) {
                double v = c.decode(new byte[] {(byte) b});
                assertTrue(Double.isFinite(v), c.name() + " byte " + b + " -> " + v);
            }
        }
        PaperCodec paper = new PaperCodec();
        for (int b0 = 0; b0 < 256; b0++) {
            for (int b1 = 0; b1 < 256; b1++) {
                assertTrue(Double.isFinite(paper.decode(new byte[] {(byte) b0, (byte) b1})), b0 + "," + b1);
            }
        }
        // the 256 log8 bytes give 255 distinct values (0x00 and 0x80 are both zero), symmetric
        java.util.Set<Double> seen = new java.util.HashSet<>();
        for (int b = 0; b < 256; b++) {
            seen.add(log8.decode(new byte[] {(byte) b}));
        }
        assertEquals(255, seen.size());
    }

    @Test
    void nonFiniteInputIsRejectedNamingTheValue() {
        for (String name : new String[] {"log8", "f32", "sign", "paper"}) {
            ByteCodec c = ByteCodec.named(name);
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.encode(bad, 1L));
                assertTrue(e.getMessage().contains(String.valueOf(bad)), name + ": " + e.getMessage());
            }
        }
    }

    @Test
    void f32IsExactAndFourBytes() {
        F32Codec f = new F32Codec();
        assertEquals(4, f.width());
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 10_000; t++) {
            float v = Float.intBitsToFloat(r.nextInt());
            if (!Float.isFinite(v)) {
                continue;
            }
            assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits((float) f.decode(f.encode(v, t))));
        }
        assertEquals((float) 0.1, (float) f.decode(f.encode(0.1, 0L)));
        assertEquals(Float.MAX_VALUE, (float) f.decode(f.encode(1e300, 0L)));
        assertThrows(IllegalArgumentException.class, () -> f.decode(new byte[] {0x7F, (byte) 0xC0, 0, 0})); // NaN pattern
        assertThrows(IllegalArgumentException.class, () -> f.decode(new byte[] {1, 2}));
    }

    @Test
    void signAndPaperCodes() {
        SignCodec s = new SignCodec(0.5);
        assertEquals(0.5, s.decode(s.encode(123.0, 0L)));
        assertEquals(-0.5, s.decode(s.encode(-1e-30, 0L)));
        assertEquals(0.0, s.decode(s.encode(0.0, 0L)));

        PaperCodec p = new PaperCodec();
        assertEquals(2, p.width());
        assertEquals(Math.exp(Math.round(16 * Math.log(0.37)) / 16.0), p.decode(p.encode(0.37, 0L)), 1e-15);
        assertEquals(-Math.exp(127 / 16.0), p.decode(p.encode(-1e9, 0L)), 1e-9); // clamped at +127
        assertEquals(Math.exp(-127 / 16.0), p.decode(p.encode(1e-12, 0L)), 1e-15); // clamped at -127
        assertEquals(0.0, p.decode(p.encode(0.0, 0L)));
        double ratio = Math.exp(1 / 32.0); // half a level
        for (double g = 1e-3; g < 1e3; g *= 1.37) {
            double back = p.decode(p.encode(g, 0L));
            assertTrue(back / g <= ratio * (1 + 1e-12) && g / back <= ratio * (1 + 1e-12), g + " -> " + back);
        }
    }

    @Test
    void namedParsesParametersAndRoundTripsNames() {
        assertEquals(new Log8Codec(), ByteCodec.named("LOG8"));
        assertEquals(new Log8Codec(), ByteCodec.defaultCodec());
        assertEquals(new Log8Codec(1e-6, 10), ByteCodec.named("log8:1e-6:10"));
        assertEquals(new SignCodec(0.01), ByteCodec.named("sign:0.01"));
        for (String n : new String[] {"log8", "log8:1e-6:10", "f32", "sign", "sign:0.01", "paper"}) {
            ByteCodec c = ByteCodec.named(n);
            assertEquals(c, ByteCodec.named(c.name()), n);
        }
        assertEquals(1, ByteCodec.named("log8").width());
        assertEquals(1, ByteCodec.named("sign").width());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteCodec.named("int4"));
        assertTrue(e.getMessage().contains("int4"));
        assertThrows(IllegalArgumentException.class, () -> ByteCodec.named("log8:abc:1"));
        assertThrows(IllegalArgumentException.class, () -> ByteCodec.named("log8:10:1"));
        assertThrows(IllegalArgumentException.class, () -> log8.decode(new byte[2]));
    }
}
