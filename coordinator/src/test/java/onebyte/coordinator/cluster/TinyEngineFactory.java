package onebyte.coordinator.cluster;

import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.model.Model;
import onebyte.core.spsa.ParameterVector;
import onebyte.core.spsa.SeedMixer;
import onebyte.node.engine.ReplicaEngine;

/**
 * Test engine used until the core engine is merged and for fast cluster tests: Gaussian
 * directions from SplittableRandom per chunk, a deterministic one-byte log code (sign + 127
 * levels between 1e-4 and 1e3, nearest level), fixed-order accumulation in double.
 */
public final class TinyEngineFactory implements ReplicaEngine.Factory {
    public static final String NAME = "class:" + TinyEngineFactory.class.getName();
    private static final double G_MIN = 1e-4;
    private static final double LOG_RHO = Math.log(1e3 / 1e-4) / 126;

    @Override
    public ReplicaEngine create(ReplicaEngine.EngineSpec spec) {
        return new ReplicaEngine() {
            @Override
            public int codeWidth() {
                return 1;
            }

            @Override
            public Sample sample(Model model, ParameterVector theta, ParameterVector scratch, long seed, Batch batch) {
                float[] t = theta.toArray();
                float[] z = direction(seed, t.length, spec.chunkSize());
                float[] p = new float[t.length];
                for (int i = 0; i < t.length; i++) p[i] = t[i] + spec.eps() * z[i];
                scratch.put(0, p, 0, p.length);
                double lp = model.loss(scratch, batch);
                for (int i = 0; i < t.length; i++) p[i] = t[i] - spec.eps() * z[i];
                scratch.put(0, p, 0, p.length);
                double lm = model.loss(scratch, batch);
                double g = (lp - lm) / (2 * spec.eps());
                return new Sample(g, new byte[] {encode(g)}, (lp + lm) / 2, 2);
            }

            @Override
            public void apply(ParameterVector theta, CommitEntries commit) {
                float[] t = theta.toArray();
                double[] acc = new double[t.length];
                for (int j = 0; j < commit.n(); j++) {
                    long seed = SeedMixer.contributionSeed(spec.runSeed(), commit.nodeIds()[j], commit.round(), commit.samples()[j]);
                    double g = decode(commit.codes()[j]);
                    float[] z = direction(seed, t.length, spec.chunkSize());
                    for (int i = 0; i < t.length; i++) acc[i] += g * z[i];
                }
                double scale = commit.lr() / commit.n();
                for (int i = 0; i < t.length; i++) t[i] = (float) (t[i] - scale * acc[i]);
                theta.put(0, t, 0, t.length);
            }
        };
    }

    static float[] direction(long seed, int d, int chunk) {
        float[] z = new float[d];
        for (int c = 0; c * chunk < d; c++) {
            SplittableRandom r = new SplittableRandom(SeedMixer.chunkSeed(seed, c));
            for (int i = c * chunk; i < Math.min(d, (c + 1) * chunk); i++) z[i] = (float) r.nextGaussian();
        }
        return z;
    }

    static byte encode(double g) {
        double a = Math.abs(g);
        if (a < G_MIN / 2 || Double.isNaN(g)) return 0;
        long e = Math.round(Math.log(Math.max(a, G_MIN) / G_MIN) / LOG_RHO) + 1;
        e = Math.max(1, Math.min(127, e));
        return (byte) ((g < 0 ? 0x80 : 0) | e);
    }

    static double decode(byte q) {
        int e = q & 0x7F;
        if (e == 0) return 0;
        double a = G_MIN * Math.exp((e - 1) * LOG_RHO);
        return (q & 0x80) != 0 ? -a : a;
    }
}
