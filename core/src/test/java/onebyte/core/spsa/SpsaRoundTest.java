package onebyte.core.spsa;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import onebyte.core.data.Batch;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.MinibatchSampler;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.perturbation.SeedMixer;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;

/**
 * One SPSA round through {@link SpsaClient} and {@link SpsaServer} on a real model and data set,
 * against the round written out by hand from SPEC §2, and the server's checks and commit order.
 */
class SpsaRoundTest {
    private static final long RUN_SEED = 42;

    @Test
    void aClientRoundIsSpecTwoWrittenOut() {
        Model model = Models.create(ModelSpec.mlp(20, List.of(16), 4, "relu"));
        ParameterVector theta = SpsaEstimatorTest.randomTheta(model.numParams(), 7);
        InMemoryDataset shard = new SyntheticClassification(20, 4, 0.5, 3).targetTrain(500, 11);
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, PerturbationStream.DEFAULT_CHUNK_SIZE);
        ByteCodec codec = ByteCodec.named("log8");
        float[] before = theta.toArray();

        SpsaClient.Round r = new SpsaClient(RUN_SEED, 3, 4, 32).round(17, theta, (size, seed) -> MinibatchSampler.draw(shard, size, seed),
                SpsaClient.estimator(new SpsaEstimator(model, stream, SpsaEstimator.DEFAULT_EPS), codec));

        SpsaEstimator oracle = new SpsaEstimator(model, stream, SpsaEstimator.DEFAULT_EPS);
        assertEquals(4, r.samples().size());
        double loss = 0;
        for (int k = 0; k < 4; k++) {
            long seed = SeedMixer.contributionSeed(RUN_SEED, 3, 17, k);
            Batch batch = MinibatchSampler.draw(shard, 32, SeedMixer.derive(seed, SeedMixer.SALT_MINIBATCH));
            SpsaEstimator.Result want = oracle.evaluate(theta, seed, batch);
            SpsaClient.Sample got = r.samples().get(k);
            assertEquals(want.gHat(), got.gHat(), 0.0, "sample " + k);
            assertArrayEquals(codec.encode(want.gHat(), seed), got.code(), "sample " + k);
            assertEquals(2, got.forwardPasses());
            loss += want.meanLoss();
        }
        assertEquals(loss / 4, r.meanLoss(), 0.0);
        assertEquals(8, r.forwardPasses());
        assertArrayEquals(before, theta.toArray(), "θ comes back bit-exact");
    }

    @Test
    void theServerChecksEachCodeAndCommitsInNodeSampleOrder() {
        SpsaServer server = new SpsaServer(2, 1);
        assertEquals("late-round", server.offer(0, 1, 0, new byte[] {1}, true).kind(), "round 0 is not open yet");
        server.open(5, Set.of(2, 7, 9));
        assertEquals("bad-sample", server.offer(5, 2, 2, new byte[] {1}, true).kind());
        assertEquals("bad-code-width", server.offer(5, 2, 0, new byte[] {1, 2}, true).kind());
        assertEquals("late-round", server.offer(4, 2, 0, new byte[] {1}, true).kind());
        assertEquals("unknown-round", server.offer(6, 2, 0, new byte[] {1}, true).kind());
        assertEquals("not-member", server.offer(5, 3, 0, new byte[] {1}, true).kind());
        assertEquals("not-member", server.offer(5, 9, 0, new byte[] {1}, false).kind(), "no longer awaited, holds nothing");
        List<int[]> offered = new ArrayList<>();
        for (int[] nk : new int[][] {{7, 1}, {2, 1}, {7, 0}, {2, 0}}) {
            assertNull(server.offer(5, nk[0], nk[1], new byte[] {(byte) (10 * nk[0] + nk[1])}, true));
            offered.add(nk);
        }
        assertNull(server.offer(5, 9, 1, new byte[] {91}, true));
        assertEquals("duplicate", server.offer(5, 7, 1, new byte[] {0}, true).kind());
        assertNull(server.offer(5, 9, 0, new byte[] {90}, false), "awaited no longer, but it already sent codes this round");
        assertTrue(server.complete(2) && server.complete(7) && server.complete(9));
        server.drop(9);
        assertFalse(server.holds(9));

        RoundCommit c = server.commit(id -> id != 7);
        assertEquals(5, c.round());
        assertEquals(List.of(new Contribution(2, 0, new byte[] {20}), new Contribution(2, 1, new byte[] {21})), c.contributions());
        assertEquals("late-round", server.offer(5, 2, 0, new byte[] {1}, true).kind(), "a closed round takes nothing");
    }
}
