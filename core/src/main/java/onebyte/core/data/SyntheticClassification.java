package onebyte.core.data;

import java.util.SplittableRandom;
import onebyte.core.perturbation.SeedMixer;

/**
 * A seeded Gaussian-mixture classification task with a source and a shifted target distribution.
 *
 * <p>Source: class c has {@code clustersPerClass} cluster centres μ drawn N(0, separation²·I) in
 * {@code features} dimensions; an example is a uniformly chosen centre of its (uniform) class plus
 * N(0, I) noise. Target: the same construction after a shift of size s ∈ [0, 1]: every centre is
 * rotated by Givens rotations of angle s·π/2 in ⌊features/2⌋ disjoint, randomly paired feature
 * planes, then moved by s·separation·0.5·N(0, I). s = 0 gives the source exactly; s = 1 rotates
 * every plane by 90°, so a source-trained classifier is close to chance on the target.
 *
 * <p>Everything is deterministic in the constructor arguments and the per-call sample seed.
 */
public final class SyntheticClassification {
    public enum Domain { SOURCE, TARGET }

    private final int features;
    private final int classes;
    private final int clustersPerClass;
    private final double[][] sourceCentres; // [classes * clustersPerClass][features]
    private final double[][] targetCentres;

    public SyntheticClassification(int features, int classes, int clustersPerClass, double separation,
            double shift, long seed) {
        if (features < 2 || classes < 2 || clustersPerClass < 1) {
            throw new IllegalArgumentException("need features ≥ 2, classes ≥ 2, clustersPerClass ≥ 1");
        }
        if (shift < 0 || shift > 1) throw new IllegalArgumentException("shift must be in [0, 1]: " + shift);
        this.features = features;
        this.classes = classes;
        this.clustersPerClass = clustersPerClass;
        int k = classes * clustersPerClass;
        SplittableRandom rng = new SplittableRandom(SeedMixer.derive(seed, 0x43454E54L)); // "CENT"
        sourceCentres = new double[k][features];
        for (double[] mu : sourceCentres) for (int f = 0; f < features; f++) mu[f] = separation * rng.nextGaussian();
        SplittableRandom shiftRng = new SplittableRandom(SeedMixer.derive(seed, 0x5348494654L)); // "SHIFT"
        int[] perm = Draws.permutation(shiftRng, features);
        double angle = shift * Math.PI / 2;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        targetCentres = new double[k][];
        for (int j = 0; j < k; j++) {
            double[] mu = sourceCentres[j].clone();
            for (int p = 0; p + 1 < features; p += 2) {
                int a = perm[p];
                int b = perm[p + 1];
                double x = mu[a];
                double y = mu[b];
                mu[a] = cos * x - sin * y;
                mu[b] = sin * x + cos * y;
            }
            for (int f = 0; f < features; f++) mu[f] += shift * separation * 0.5 * shiftRng.nextGaussian();
            targetCentres[j] = mu;
        }
    }

    /** Defaults: 2 clusters per class, separation 1.5, shift as given. */
    public SyntheticClassification(int features, int classes, double shift, long seed) {
        this(features, classes, 2, 1.5, shift, seed);
    }

    public int features() {
        return features;
    }

    public int classes() {
        return classes;
    }

    /** n examples of the domain, drawn with {@code new SplittableRandom(sampleSeed)}. */
    public InMemoryDataset sample(Domain domain, int n, long sampleSeed) {
        double[][] centres = domain == Domain.SOURCE ? sourceCentres : targetCentres;
        SplittableRandom rng = new SplittableRandom(sampleSeed);
        float[] x = new float[n * features];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(classes);
            double[] mu = centres[c * clustersPerClass + rng.nextInt(clustersPerClass)];
            for (int f = 0; f < features; f++) x[i * features + f] = (float) (mu[f] + rng.nextGaussian());
            y[i] = c;
        }
        return new InMemoryDataset(features, x, 1, y, classes);
    }

    /** Conventional splits, each from its own derived seed so they never share examples by construction. */
    public InMemoryDataset sourceTrain(int n, long seed) {
        return sample(Domain.SOURCE, n, SeedMixer.derive(seed, 1));
    }

    public InMemoryDataset sourceEval(int n, long seed) {
        return sample(Domain.SOURCE, n, SeedMixer.derive(seed, 2));
    }

    public InMemoryDataset targetTrain(int n, long seed) {
        return sample(Domain.TARGET, n, SeedMixer.derive(seed, 3));
    }

    public InMemoryDataset targetEval(int n, long seed) {
        return sample(Domain.TARGET, n, SeedMixer.derive(seed, 4));
    }
}
