package onebyte.coordinator.cluster;

import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.engine.Workload;
import onebyte.proto.WorkloadSpec;

/**
 * Test workload: softmax regression (d = C·F + C) on Gaussian class clusters. θ_0 is fitted by
 * full-batch gradient descent on the source distribution; the target distribution moves every
 * class mean, so θ_0 starts clearly below what fine-tuning on the target reaches. Deterministic
 * plain-Java math, so every JVM builds bit-identical data and θ_0.
 * A fixed task of its own (8 features, 3 classes, shift 3.0): the spec only names this factory.
 */
public final class TinyWorkloadFactory implements Workload.Factory {
    /** The workload: this factory. */
    public static final WorkloadSpec SPEC = WorkloadSpec.newBuilder().setFactory(TinyWorkloadFactory.class.getName()).build();
    /** {@link #SPEC} as the {@code --workload} flag of the CLI (protobuf text format). */
    public static final String FLAG = "factory: \"" + TinyWorkloadFactory.class.getName() + "\"";

    @Override
    public Workload create(WorkloadSpec spec, long seed) {
        return new Tiny(8, 3, 3.0, seed);
    }

    static final class Tiny implements Workload {
        final int f;
        final int c;
        final long seed;
        final double[][] means;
        final double[][] shifts;
        final InMemoryDataset pool;
        final InMemoryDataset eval;
        final float[] theta0;

        Tiny(int f, int c, double shift, long seed) {
            this.f = f;
            this.c = c;
            this.seed = seed;
            SplittableRandom r = new SplittableRandom(seed);
            means = new double[c][f];
            shifts = new double[c][f];
            for (int k = 0; k < c; k++) {
                for (int j = 0; j < f; j++) {
                    means[k][j] = 0.7 * r.nextGaussian();
                    shifts[k][j] = shift * r.nextGaussian() / Math.sqrt(f);
                }
            }
            InMemoryDataset source = sample(r.split(), 2000, false);
            pool = sample(r.split(), 4000, true);
            eval = sample(r.split(), 1000, true);
            theta0 = pretrain(source);
        }

        InMemoryDataset sample(SplittableRandom r, int n, boolean target) {
            float[] x = new float[n * f];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(c);
                y[i] = k;
                for (int j = 0; j < f; j++) {
                    x[i * f + j] = (float) (means[k][j] + (target ? shifts[k][j] : 0) + r.nextGaussian());
                }
            }
            return new InMemoryDataset(f, x, 1, y, c);
        }

        float[] pretrain(InMemoryDataset d) {
            double[] w = new double[c * f + c];
            for (int step = 0; step < 200; step++) {
                double[] g = new double[w.length];
                for (int i = 0; i < d.size(); i++) {
                    float[] x = d.inputs(i);
                    double[] p = probs(w, x);
                    for (int k = 0; k < c; k++) {
                        double e = p[k] - (d.label(i) == k ? 1 : 0);
                        for (int j = 0; j < f; j++) {
                            g[k * f + j] += e * x[j];
                        }
                        g[c * f + k] += e;
                    }
                }
                for (int q = 0; q < w.length; q++) {
                    w[q] -= 0.5 * g[q] / d.size();
                }
            }
            float[] out = new float[w.length];
            for (int q = 0; q < w.length; q++) {
                out[q] = (float) w[q];
            }
            return out;
        }

        double[] probs(double[] w, float[] x) {
            double[] z = new double[c];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                double s = w[c * f + k];
                for (int j = 0; j < f; j++) {
                    s += w[k * f + j] * x[j];
                }
                z[k] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int k = 0; k < c; k++) {
                z[k] = Math.exp(z[k] - max);
                sum += z[k];
            }
            for (int k = 0; k < c; k++) {
                z[k] /= sum;
            }
            return z;
        }

        @Override
        public int numParams() {
            return c * f + c;
        }

        @Override
        public Model newModel() {
            return new Model() {
                @Override
                public int numParams() {
                    return c * f + c;
                }

                @Override
                public List<TensorShape> tensors() {
                    return List.of(new TensorShape("w", new long[] {c, f}, 0, (long) c * f),
                            new TensorShape("b", new long[] {c}, (long) c * f, c));
                }

                @Override
                public double loss(ParameterVector params, Batch batch) {
                    return run(params, batch)[0];
                }

                @Override
                public double accuracy(ParameterVector params, Batch batch) {
                    return run(params, batch)[1];
                }

                @Override
                public double lossAndGradient(ParameterVector params, Batch batch, ParameterVector gradOut) {
                    throw new UnsupportedOperationException("SPSA only");
                }

                private double[] run(ParameterVector params, Batch batch) {
                    float[] t = params.toArray();
                    double[] w = new double[t.length];
                    for (int q = 0; q < t.length; q++) {
                        w[q] = t[q];
                    }
                    float[][] x = batch.inputs().toFloatMatrix();
                    float[] y = batch.labels().toFloatVector();
                    double loss = 0;
                    int correct = 0;
                    for (int i = 0; i < y.length; i++) {
                        double[] p = probs(w, x[i]);
                        int label = (int) y[i];
                        loss -= Math.log(Math.max(p[label], 1e-12));
                        int best = 0;
                        for (int k = 1; k < c; k++) {
                            if (p[k] > p[best]) best = k;
                        }
                        if (best == label) correct++;
                    }
                    return new double[] {loss / y.length, (double) correct / y.length};
                }
            };
        }

        @Override
        public ParameterVector initialParameters() {
            return ParameterVector.of(theta0);
        }

        @Override
        public Dataset shard(int nodeId) {
            SplittableRandom r = new SplittableRandom(seed * 31 + nodeId);
            int[] idx = new int[400];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = r.nextInt(pool.size());
            }
            return pool.subset(idx);
        }

        @Override
        public Dataset evalSet() {
            return eval;
        }

        @Override
        public Batch draw(Dataset data, int batchSize, long s) {
            SplittableRandom r = new SplittableRandom(s);
            int[] idx = new int[batchSize];
            for (int i = 0; i < batchSize; i++) {
                idx[i] = r.nextInt(data.size());
            }
            return data.batch(idx);
        }
    }
}
