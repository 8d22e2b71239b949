package onebyte.core.spsa;

import onebyte.core.perturbation.SeedMixer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The default one-byte code (SPEC §3). Bit 7 is the sign; bits 0..6 hold e ∈ 0..127. e = 0 means
 * exactly zero; e ≥ 1 means |ĝ| = level(e) = g_min · ρ^(e−1) with ρ = (g_max/g_min)^(1/126),
 * computed once as {@code gMin * StrictMath.exp((e − 1) · StrictMath.log(gMax / gMin) / 126)} (and
 * level(127) = g_max exactly), so every JVM decodes to the same doubles.
 *
 * <p>Encoding of a = |ĝ|: a = 0 → code 0; a ≥ g_max → e = 127 (clipped); a that equals a level
 * → that level; otherwise a lies between two neighbouring levels lo &lt; a &lt; hi (for
 * a &lt; g_min, lo = 0 i.e. zero and hi = g_min) and rounds up to hi with probability
 * (a − lo)/(hi − lo), using u = {@code new SplittableRandom(SeedMixer.derive(seed,
 * SALT_ROUNDING)).nextDouble()} (up iff u &lt; p). So E[D(Q(ĝ))] = ĝ for |ĝ| ≤ g_max, and for
 * |ĝ| ≥ g_min the decoded value is within a factor ρ of ĝ. Codes 0x00 and 0x80 both decode to 0.
 */
public final class Log8Codec implements ByteCodec {
    public static final double DEFAULT_G_MIN = 1e-4;
    public static final double DEFAULT_G_MAX = 1e3;
    /** Number of non-zero magnitudes. */
    public static final int LEVELS = 127;

    private final double gMin;
    private final double gMax;
    private final double[] level = new double[LEVELS + 1];

    /** g_min = 1e-4, g_max = 1e3 (ρ ≈ 1.1365). */
    public Log8Codec() {
        this(DEFAULT_G_MIN, DEFAULT_G_MAX);
    }

    public Log8Codec(double gMin, double gMax) {
        if (!(gMin > 0) || !(gMax > gMin) || !Double.isFinite(gMax)) {
            throw new IllegalArgumentException("log8 needs 0 < g_min < g_max < inf, got g_min=" + gMin + " g_max=" + gMax);
        }
        this.gMin = gMin;
        this.gMax = gMax;
        double lnRatio = StrictMath.log(gMax / gMin);
        level[0] = 0.0;
        for (int e = 1; e < LEVELS; e++) {
            level[e] = gMin * StrictMath.exp((e - 1) * lnRatio / (LEVELS - 1));
        }
        level[LEVELS] = gMax;
    }

    public double gMin() {
        return gMin;
    }

    public double gMax() {
        return gMax;
    }

    /** ρ, the ratio between neighbouring non-zero levels. */
    public double ratio() {
        return StrictMath.exp(StrictMath.log(gMax / gMin) / (LEVELS - 1));
    }

    /** level(e) for e ∈ 0..127 (level(0) = 0). */
    public double level(int e) {
        return level[e];
    }

    @Override
    public String name() {
        return gMin == DEFAULT_G_MIN && gMax == DEFAULT_G_MAX ? "log8" : "log8:" + gMin + ":" + gMax;
    }

    @Override
    public int width() {
        return 1;
    }

    @Override
    public byte[] encode(double g, long contributionSeed) {
        ByteCodec.requireFinite(g);
        double a = Math.abs(g);
        int e;
        if (a == 0.0) {
            return new byte[] {0};
        } else if (a >= gMax) {
            e = LEVELS;
        } else {
            int idx = Arrays.binarySearch(level, a);
            if (idx >= 0) {
                e = idx;
            } else {
                int hi = -idx - 1; // first level > a; 1 <= hi <= 127
                int lo = hi - 1;
                double p = (a - level[lo]) / (level[hi] - level[lo]);
                double u = new SplittableRandom(SeedMixer.derive(contributionSeed, SeedMixer.SALT_ROUNDING)).nextDouble();
                e = u < p ? hi : lo;
            }
        }
        if (e == 0) {
            return new byte[] {0};
        }
        return new byte[] {(byte) ((g < 0 ? 0x80 : 0) | e)};
    }

    @Override
    public double decode(byte[] code) {
        ByteCodec.requireWidth(code, 1, "log8");
        int b = code[0] & 0xFF;
        int e = b & 0x7F;
        if (e == 0) {
            return 0.0;
        }
        return (b & 0x80) != 0 ? -level[e] : level[e];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Log8Codec other && other.gMin == gMin && other.gMax == gMax;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(gMin) * 31 + Double.hashCode(gMax);
    }

    @Override
    public String toString() {
        return name();
    }
}
