package onebyte.core.train;

import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.SeedMixer;

/**
 * A single-process, single-node SPSA loop for tests (the production engine lives in spsa/):
 * z ~ N(0, I) from {@code new SplittableRandom(s)}, ĝ = (L(θ+εz) − L(θ−εz)) / 2ε on a scratch copy,
 * q = log8(ĝ) with stochastic rounding (SPEC §3), θ ← θ − lr·D(q)·z.
 */
final class SpsaTestLoop {
    static final double EPS = 1e-3;
    static final double G_MIN = 1e-4;
    static final double G_MAX = 1e3;
    static final double LOG_RATIO = Math.log(G_MAX / G_MIN) / 126;

    private SpsaTestLoop() {}

    /** SPEC §3 log8 encode with stochastic rounding, then decode. */
    static double log8RoundTrip(double g, SplittableRandom rng) {
        if (g == 0 || Double.isNaN(g)) return 0;
        double a = Math.min(Math.abs(g), G_MAX);
        double pos = Math.log(a / G_MIN) / LOG_RATIO; // level index − 1, continuous
        int e;
        if (pos < 0) {
            // between 0 (exact zero) and g_min: unbiased choice between 0 and g_min
            e = rng.nextDouble() < a / G_MIN ? 1 : 0;
        } else {
            int lo = (int) Math.floor(pos);
            double vLo = G_MIN * Math.exp(lo * LOG_RATIO);
            double vHi = G_MIN * Math.exp((lo + 1) * LOG_RATIO);
            e = 1 + lo + (rng.nextDouble() < (a - vLo) / (vHi - vLo) ? 1 : 0);
            e = Math.min(e, 127);
        }
        double mag = e == 0 ? 0 : G_MIN * Math.exp((e - 1) * LOG_RATIO);
        return Math.signum(g) * mag;
    }

    /** Runs {@code steps} SPSA steps on θ in place; returns the number of forward passes. */
    static long run(Model model, ParameterVector theta, Dataset shard, int batchSize, double lr, int steps, long runSeed) {
        int d = model.numParams();
        float[] th = theta.toArray();
        float[] z = new float[d];
        float[] tmp = new float[d];
        ParameterVector scratch = new ParameterVector(d);
        long forwards = 0;
        for (int r = 0; r < steps; r++) {
            long s = SeedMixer.contributionSeed(runSeed, 0, r, 0);
            SplittableRandom zr = new SplittableRandom(s);
            for (int i = 0; i < d; i++) z[i] = (float) zr.nextGaussian();
            Batch b = MinibatchSampler.draw(shard, batchSize, SeedMixer.derive(s, SeedMixer.SALT_MINIBATCH));
            for (int i = 0; i < d; i++) tmp[i] = th[i] + (float) EPS * z[i];
            scratch.put(0, tmp, 0, d);
            double lp = model.loss(scratch, b);
            for (int i = 0; i < d; i++) tmp[i] = th[i] - (float) EPS * z[i];
            scratch.put(0, tmp, 0, d);
            double lm = model.loss(scratch, b);
            forwards += 2;
            double g = log8RoundTrip((lp - lm) / (2 * EPS), new SplittableRandom(SeedMixer.derive(s, SeedMixer.SALT_ROUNDING)));
            float step = (float) (lr * g);
            for (int i = 0; i < d; i++) th[i] -= step * z[i];
        }
        theta.put(0, th, 0, d);
        return forwards;
    }
}
