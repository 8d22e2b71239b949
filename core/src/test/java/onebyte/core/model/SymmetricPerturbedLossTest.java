package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import onebyte.core.data.Batch;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.perturbation.Distribution;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.SpsaEstimator;
import org.junit.jupiter.api.Test;

/** The dense models' fused evaluation of θ ± εz against the scratch-copy path. */
class SymmetricPerturbedLossTest {
    static {
        Models.limitNativeThreads(1);
    }

    private static final float EPS = 1e-3f;

    /** θ with every tensor (biases too) random, so that every perturbed element matters. */
    static ParameterVector randomTheta(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] t = new float[d];
        for (int i = 0; i < d; i++) {
            t[i] = (float) (0.3 * r.nextGaussian());
        }
        return ParameterVector.of(t);
    }

    private static Batch batch(int features, int classes, int n) {
        return new SyntheticClassification(features, classes, 0.5, 3).sourceTrain(n, 4).all();
    }

    /** The scratch path with θ − εz built exactly: loss(θ + εz) and loss(θ − εz). */
    private static double[] scratchLosses(Model m, ParameterVector theta, PerturbationStream stream, long seed, Batch b) {
        SpsaEstimator est = new SpsaEstimator(m, stream, EPS, 1);
        ParameterVector scratch = new ParameterVector(theta.length());
        est.perturb(theta, scratch, seed, EPS);
        double plus = m.loss(scratch, b);
        est.perturb(theta, scratch, seed, -EPS);
        double minus = m.loss(scratch, b);
        return new double[] {plus, minus};
    }

    private static void matchesScratchPath(ModelSpec spec, int sliceElements, int chunkSize, int batchSize) {
        DenseClassifier m = new DenseClassifier(spec, sliceElements);
        int d = m.numParams();
        ParameterVector theta = randomTheta(d, 17);
        ParameterVector before = theta.copy();
        Batch b = batch(spec.inputs(), spec.classes(), batchSize);
        for (Distribution dist : Distribution.values()) {
            PerturbationStream stream = new PerturbationStream(dist, chunkSize);
            for (long seed = 1; seed <= 3; seed++) {
                SymmetricPerturbedLoss.Losses oneThread = m.symmetricPerturbedLosses(theta, stream, seed, EPS, b, 1);
                SymmetricPerturbedLoss.Losses twoThreads = m.symmetricPerturbedLosses(theta, stream, seed, EPS, b, 2);
                SymmetricPerturbedLoss.Losses again = m.symmetricPerturbedLosses(theta, stream, seed, EPS, b, 1);
                String what = spec + " slice " + sliceElements + " chunk " + chunkSize + " " + dist + " seed " + seed;
                assertEquals(oneThread, twoThreads, what + ": thread count changed the result");
                assertEquals(oneThread, again, what + ": not deterministic");
                double[] ref = scratchLosses(m, theta, stream, seed, b);
                assertEquals(ref[0], oneThread.plus(), 1e-6 * Math.abs(ref[0]), what + ": l+");
                assertEquals(ref[1], oneThread.minus(), 1e-6 * Math.abs(ref[1]), what + ": l-");
                double gRef = (ref[0] - ref[1]) / (2.0 * EPS);
                double g = (oneThread.plus() - oneThread.minus()) / (2.0 * EPS);
                assertEquals(gRef, g, 2e-3 * Math.max(1, Math.abs(gRef)), what + ": ĝ");
                assertNotEquals(oneThread.plus(), oneThread.minus(), what);
            }
        }
        assertTrue(theta.bitEquals(before), spec + ": theta was written");
    }

    @Test
    void logregMatchesTheScratchPathAcrossChunksAndSlices() {
        ModelSpec spec = ModelSpec.logreg(37, 5); // d = 190
        assertEquals(190, Models.create(spec).numParams());
        matchesScratchPath(spec, 30, 64, 19);          // 6 rows per slice, chunks of 64 straddle slices
        matchesScratchPath(spec, 1 << 16, 100, 19);    // one slice per tensor
    }

    @Test
    void twoHiddenLayerMlpMatchesTheScratchPathAcrossChunksAndSlices() {
        ModelSpec relu = ModelSpec.mlp(23, List.of(41, 29), 5, "relu"); // d = 2352
        assertEquals(2352, Models.create(relu).numParams());
        matchesScratchPath(relu, 150, 100, 33);  // 3 and 5 rows per slice; chunk 100 divides no tensor
        matchesScratchPath(relu, 1, 64, 33);     // a slice per row
        matchesScratchPath(ModelSpec.mlp(23, List.of(41, 29), 5, "tanh"), 150, 100, 33);
    }

    @Test
    void defaultSlicesOnAModelOfSeveralDefaultChunks() {
        ModelSpec spec = ModelSpec.mlp(20, List.of(400, 400), 4, "relu"); // d = 170,404: 3 chunks of 65,536
        DenseClassifier m = (DenseClassifier) Models.create(spec);
        assertEquals(170_404, m.numParams());
        assertEquals(DenseClassifier.MIN_SLICE_ELEMENTS, DenseClassifier.defaultSliceElements(m.numParams()));
        assertTrue(m.sliceCount() > 3);
        matchesScratchPath(spec, DenseClassifier.defaultSliceElements(m.numParams()), PerturbationStream.DEFAULT_CHUNK_SIZE, 64);
    }

    @Test
    void aChangingBatchSizeRebuildsTheActivationsAndChangesNothingElse() {
        ModelSpec spec = ModelSpec.mlp(23, List.of(41, 29), 5, "relu");
        DenseClassifier m = new DenseClassifier(spec, 150);
        ParameterVector theta = randomTheta(m.numParams(), 8);
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 100);
        Batch small = batch(23, 5, 9);
        Batch large = batch(23, 5, 40);
        SymmetricPerturbedLoss.Losses first = m.symmetricPerturbedLosses(theta, stream, 4L, EPS, large, 2);
        SymmetricPerturbedLoss.Losses other = m.symmetricPerturbedLosses(theta, stream, 4L, EPS, small, 2);
        assertEquals(first, m.symmetricPerturbedLosses(theta, stream, 4L, EPS, large, 1));
        assertEquals(other, new DenseClassifier(spec, 150).symmetricPerturbedLosses(theta, stream, 4L, EPS, small, 1));
        assertNotEquals(first, other);
    }

    @Test
    void theEstimatorUsesTheFusedPathWithoutAScratch() {
        ModelSpec spec = ModelSpec.mlp(23, List.of(41, 29), 5, "relu");
        Model m = Models.create(spec);
        ParameterVector theta = randomTheta(m.numParams(), 3);
        Batch b = batch(23, 5, 16);
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, 100);
        SpsaEstimator est = new SpsaEstimator(m, stream, EPS, 2);
        assertFalse(est.needsScratch());
        SpsaEstimator.Result r = est.evaluate(theta, 7L, b);
        assertEquals(r, est.evaluate(theta, null, 7L, b));
        SymmetricPerturbedLoss.Losses l = ((SymmetricPerturbedLoss) m).symmetricPerturbedLosses(theta, stream, 7L, EPS, b, 1);
        assertEquals(l.plus(), r.lossPlus());
        assertEquals(l.minus(), r.lossMinus());
        assertEquals((l.plus() - l.minus()) / (2.0 * EPS), r.gHat());
        assertNotEquals(0.0, r.gHat());
        assertEquals(2, new DenseClassifier(ModelSpec.logreg(4, 3), 1 << 16).sliceCount()); // the weight, the bias
        assertThrows(IllegalArgumentException.class, () -> est.evaluate(new ParameterVector(m.numParams() - 1), 7L, b));
    }
}
