package onebyte.core.spsa;

import onebyte.core.perturbation.Distribution;

import onebyte.core.perturbation.PerturbationStream;

import onebyte.core.perturbation.SeedMixer;

import onebyte.core.tensor.ParameterVector;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

public class SpsaEstimatorTest {
    static QuadraticModel quadratic(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[d];
        double[] b = new double[d];
        for (int i = 0; i < d; i++) {
            a[i] = 0.5 + 2.5 * r.nextDouble();
            b[i] = r.nextDouble() * 2 - 1;
        }
        return new QuadraticModel(a, b);
    }

    public static ParameterVector randomTheta(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] t = new float[d];
        for (int i = 0; i < d; i++) {
            t[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return ParameterVector.of(t);
    }

    static double cosine(double[] x, double[] y) {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < x.length; i++) {
            xy += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }
        return xy / Math.sqrt(xx * yy);
    }

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void averageOfGHatTimesZPointsAlongTheTrueGradient(Distribution dist) {
        int d = 50;
        QuadraticModel m = quadratic(d, 1);
        ParameterVector theta = randomTheta(d, 2);
        ParameterVector scratch = new ParameterVector(d);
        PerturbationStream stream = new PerturbationStream(dist, 64);
        SpsaEstimator est = new SpsaEstimator(m, stream, SpsaEstimator.DEFAULT_EPS);
        double[] avg = new double[d];
        float[] z = new float[d];
        int seeds = 2000;
        for (int s = 0; s < seeds; s++) {
            long seed = SeedMixer.contributionSeed(77L, 3, s, 0);
            double g = est.estimate(theta, scratch, seed, null);
            stream.fill(seed, z, 1);
            for (int i = 0; i < d; i++) {
                avg[i] += g * z[i] / seeds;
            }
        }
        double[] truth = m.gradient(theta.toArray());
        double cos = cosine(avg, truth);
        assertTrue(cos > 0.9, "cosine " + cos);
        // and the projection itself is right: ĝ ≈ ∇L·z (central difference is exact on a quadratic up to float rounding)
        long seed = 5L;
        double g = est.estimate(theta, scratch, seed, null);
        stream.fill(seed, z, 1);
        double dot = 0;
        for (int i = 0; i < d; i++) {
            dot += truth[i] * z[i];
        }
        assertEquals(dot, g, 1e-2 * Math.max(1, Math.abs(dot)));
    }

    @Test
    void scratchPathNeverWritesThetaGeneratesOnceAndLeavesTheReflectedSecondPoint() {
        int d = 1000;
        QuadraticModel m = quadratic(d, 3);
        ParameterVector theta = randomTheta(d, 4);
        ParameterVector before = theta.copy();
        ParameterVector scratch = new ParameterVector(d);
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 128);
        SpsaEstimator est = new SpsaEstimator(m, stream, 1e-3f, 2);
        assertTrue(est.needsScratch());
        SpsaEstimator.Result r = est.evaluate(theta, scratch, 11L, null);
        assertTrue(theta.bitEquals(before));
        assertEquals(2, m.lossCalls);
        float[] z = new float[d];
        stream.fill(11L, z, 1);
        float[] t = theta.toArray();
        float[] s = scratch.toArray();
        for (int i = 0; i < d; i++) {
            float plus = t[i] + 1e-3f * z[i];
            // the second point is θ − ((θ + εz) − θ): θ − εz up to the rounding of the first addition
            assertEquals(Float.floatToRawIntBits(t[i] - (plus - t[i])), Float.floatToRawIntBits(s[i]), "element " + i);
            // |error| ≤ half an ulp for each of the four roundings involved (θ+p, its difference with θ,
            // θ − that, and the exact θ − p it is compared with)
            float exact = t[i] - 1e-3f * z[i];
            float scale = Math.max(Math.abs(t[i]), Math.max(Math.abs(plus), Math.abs(exact)));
            assertTrue(Math.abs(s[i] - exact) <= 2 * Math.ulp(scale), "element " + i);
        }
        assertEquals((r.lossPlus() - r.lossMinus()) / (2.0 * 1e-3f), r.gHat());
        assertNotEquals(r.lossPlus(), r.lossMinus());
        // the first loss was taken at θ + εz exactly
        ParameterVector plusPoint = new ParameterVector(d);
        est.perturb(theta, plusPoint, 11L, 1e-3f);
        assertEquals(new QuadraticModel(m.a, m.b).loss(plusPoint, null), r.lossPlus());
        // deterministic, the same with one thread, and with the estimator's own scratch
        assertEquals(r, new SpsaEstimator(m, stream, 1e-3f, 1).evaluate(theta, scratch, 11L, null));
        assertEquals(r, new SpsaEstimator(m, stream, 1e-3f, 1).evaluate(theta, 11L, null));
        assertThrows(IllegalArgumentException.class, () -> est.estimate(theta, theta, 1L, null));
        assertThrows(IllegalArgumentException.class, () -> est.estimate(theta, null, 1L, null));
        assertThrows(IllegalArgumentException.class, () -> est.estimate(theta, new ParameterVector(d - 1), 1L, null));
        assertThrows(IllegalArgumentException.class, () -> new SpsaEstimator(m, stream, 0f));
    }
}
