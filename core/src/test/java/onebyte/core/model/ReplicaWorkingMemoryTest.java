package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import onebyte.core.data.Batch;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.spsa.SpsaEstimator;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;

/**
 * What an SPSA replica of a dense model holds beyond θ, counted in floats from the buffers the
 * model keeps ({@link DenseClassifier#keptBytes()}), against inference (θ and one activation set):
 * the memory goal (an SPSA replica at most 1.5 × inference) must not depend on a probe of the
 * resident set. Model: the bench's 1M point, mlp 20 → 987 → 987 → 4 (d = 999,835), batch 64.
 */
class ReplicaWorkingMemoryTest {
    static {
        Models.limitNativeThreads(1);
    }

    private static final int BATCH = 64;
    private static final int CHUNK = 1 << 16;

    /** Floats kept by the model after the inference passes, then after SPSA samples with {@code threads}. */
    private static long[] keptFloats(int threads) {
        DenseClassifier m = new DenseClassifier(ModelSpec.mlp(20, List.of(987, 987), 4, "relu"));
        ParameterVector theta = SymmetricPerturbedLossTest.randomTheta(m.numParams(), 5);
        Batch b = new SyntheticClassification(20, 4, 0.5, 3).sourceTrain(BATCH, 4).all();
        for (int i = 0; i < 3; i++) {
            m.loss(theta, b);
        }
        long inference = m.keptBytes() / 4;
        SpsaEstimator est = new SpsaEstimator(m, new PerturbationStream(Distribution.GAUSSIAN, CHUNK), 1e-3f, threads);
        for (long seed = 1; seed <= 3; seed++) {
            est.evaluate(theta, seed, b);
        }
        return new long[] {m.numParams(), inference, m.keptBytes() / 4};
    }

    @Test
    void oneThreadReplicaIsAtMostOneAndAHalfInference() {
        long[] f = keptFloats(1);
        long d = f[0];
        // the replica also applies commits through one heap chunk of θ per thread (ReplicaUpdate)
        long replica = d + f[2] + CHUNK;
        long inference = d + f[1];
        assertTrue(f[2] - f[1] <= d / 2, "fused pass keeps " + (f[2] - f[1]) + " floats beyond inference, d = " + d);
        assertTrue(replica <= 1.5 * inference, "replica " + replica + " floats vs inference " + inference);
    }

    @Test
    void helperThreadAddsOneSliceSetAndNoCopyOfTheta() {
        long[] one = keptFloats(1);
        long[] two = keptFloats(2);
        long d = one[0];
        assertEquals(one[1], two[1], "inference keeps the same");
        assertTrue(two[2] - two[1] <= d, "two threads keep " + (two[2] - two[1]) + " floats beyond inference, d = " + d);
        assertTrue(two[2] > one[2], "the helper's second slot and z buffer are counted");
    }
}
