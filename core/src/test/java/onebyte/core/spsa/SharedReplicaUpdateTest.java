package onebyte.core.spsa;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import onebyte.core.perturbation.Distribution;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;

class SharedReplicaUpdateTest {
    private static final int CHUNK = 256;
    private static final int D = 9 * CHUNK + 77; // 10 chunks, the last one short

    private static List<RoundCommit> commits(int rounds, ByteCodec codec, long seed) {
        List<RoundCommit> out = new ArrayList<>();
        for (long r = 0; r < rounds; r++) {
            // round 3 is empty: decay only (or nothing)
            out.add(r == 3 ? new RoundCommit(r, List.of()) : ReplicaUpdateTest.randomCommit(r, 4, 2, codec, seed + 17 * r));
        }
        return out;
    }

    /** Each replica on its own thread, all at once; returns their θ. */
    private static List<ParameterVector> runConcurrently(SharedReplicaUpdate shared, List<ParameterVector> thetas,
                                                         List<RoundCommit> rounds, double lr) throws Exception {
        List<SharedReplicaUpdate.Replica> handles = new ArrayList<>();
        for (int i = 0; i < thetas.size(); i++) {
            handles.add(shared.join());
        }
        ExecutorService pool = Executors.newFixedThreadPool(thetas.size());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < thetas.size(); i++) {
                SharedReplicaUpdate.Replica h = handles.get(i);
                ParameterVector t = thetas.get(i);
                fs.add(pool.submit(() -> {
                    for (RoundCommit c : rounds) {
                        h.apply(t, c, lr);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            handles.forEach(SharedReplicaUpdate.Replica::close);
        }
        return thetas;
    }

    @Test
    void replicasSharingChunksEndBitIdenticalToALoneReplica() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String codecName : new String[] {"log8", "f32"}) {
                ByteCodec codec = ByteCodec.named(codecName);
                for (Distribution dist : Distribution.values()) {
                    for (int threads : new int[] {1, 2}) {
                        double wd = threads == 2 ? 0.01 : 0.0;
                        PerturbationStream stream = new PerturbationStream(dist, CHUNK);
                        ReplicaUpdate lone = new ReplicaUpdate(stream, codec, 77L, threads, wd);
                        List<RoundCommit> rounds = commits(6, codec, 5);
                        ParameterVector expected = SpsaEstimatorTest.randomTheta(D, 3);
                        for (RoundCommit c : rounds) {
                            lone.applyOneByOne(expected, c, 0.02);
                        }
                        SharedReplicaUpdate shared = new SharedReplicaUpdate(new ReplicaUpdate(stream, codec, 77L, threads, wd), 1000);
                        List<ParameterVector> thetas = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            thetas.add(SpsaEstimatorTest.randomTheta(D, 3));
                        }
                        runConcurrently(shared, thetas, rounds, 0.02);
                        String what = codecName + "/" + dist + "/" + threads + " threads";
                        for (ParameterVector t : thetas) {
                            assertTrue(expected.bitEquals(t), what);
                        }
                        SharedReplicaUpdate.Stats st = shared.stats();
                        int nonEmpty = wd == 0 ? 5 : 6;
                        // every (round, chunk) computed exactly once, taken by the 4 others
                        assertEquals(nonEmpty * 10L, st.computed(), what + " " + st);
                        assertEquals(4 * nonEmpty * 10L, st.reused(), what + " " + st);
                        assertEquals(0, st.diverged(), what);
                        assertEquals(0, shared.cachedChunks(), what + ": every entry was taken by every replica");
                    }
                }
            }
        });
    }

    @Test
    void aReplicaWhoseThetaDiffersKeepsItsOwnResult() throws Exception {
        ByteCodec codec = ByteCodec.named("log8");
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        ReplicaUpdate lone = new ReplicaUpdate(stream, codec, 9L, 1);
        List<RoundCommit> rounds = commits(4, codec, 11);
        ParameterVector base = SpsaEstimatorTest.randomTheta(D, 4);
        // differences a lone replica would carry on: +0 vs −0, and a NaN with another payload
        ParameterVector signedZero = base.copy();
        signedZero.set(5, -0.0f);
        base.set(5, 0.0f);
        ParameterVector nan = base.copy();
        nan.set(3 * CHUNK + 1, Float.intBitsToFloat(0x7fc00001));
        base.set(3 * CHUNK + 1, Float.intBitsToFloat(0x7fc00000));
        List<ParameterVector> starts = List.of(base, signedZero, nan, base.copy());
        List<ParameterVector> expected = new ArrayList<>();
        for (ParameterVector s : starts) {
            ParameterVector e = s.copy();
            for (RoundCommit c : rounds) {
                lone.apply(e, c, 0.1);
            }
            expected.add(e);
        }
        SharedReplicaUpdate shared = new SharedReplicaUpdate(new ReplicaUpdate(stream, codec, 9L, 1), 1000);
        List<ParameterVector> thetas = new ArrayList<>();
        starts.forEach(s -> thetas.add(s.copy()));
        runConcurrently(shared, thetas, rounds, 0.1);
        for (int i = 0; i < starts.size(); i++) {
            assertTrue(expected.get(i).bitEquals(thetas.get(i)), "replica " + i);
            assertEquals(expected.get(i).hashHex(), thetas.get(i).hashHex(), "replica " + i);
        }
        assertTrue(shared.stats().diverged() > 0, shared.stats().toString());
        assertTrue(shared.stats().reused() > 0, shared.stats().toString());
    }

    @Test
    void aReplicaThatLagsARoundBehindWithATinyCacheStillGetsTheSameBits() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            ByteCodec codec = ByteCodec.named("log8");
            PerturbationStream stream = new PerturbationStream(Distribution.RADEMACHER, CHUNK);
            ReplicaUpdate lone = new ReplicaUpdate(stream, codec, 21L, 1, 0.001);
            List<RoundCommit> rounds = commits(5, codec, 3);
            ParameterVector expected = SpsaEstimatorTest.randomTheta(D, 6);
            for (RoundCommit c : rounds) {
                lone.apply(expected, c, 0.05);
            }
            SharedReplicaUpdate shared = new SharedReplicaUpdate(new ReplicaUpdate(stream, codec, 21L, 1, 0.001), 2);
            SharedReplicaUpdate.Replica fast = shared.join();
            SharedReplicaUpdate.Replica slow = shared.join();
            SharedReplicaUpdate.Replica gone = shared.join(); // registered but never applies (a crashed node)
            ParameterVector a = SpsaEstimatorTest.randomTheta(D, 6);
            ParameterVector b = SpsaEstimatorTest.randomTheta(D, 6);
            for (RoundCommit c : rounds) {
                fast.apply(a, c, 0.05);
                assertTrue(shared.cachedChunks() <= 2, "bounded: " + shared.cachedChunks());
            }
            for (RoundCommit c : rounds) {
                slow.apply(b, c, 0.05);
                assertTrue(shared.cachedChunks() <= 2, "bounded: " + shared.cachedChunks());
            }
            assertTrue(expected.bitEquals(a));
            assertTrue(expected.bitEquals(b));
            SharedReplicaUpdate.Stats st = shared.stats();
            // the slow replica's own entries (kept for the one that never comes) pushed the fast one's out: it computed alone
            assertEquals(new SharedReplicaUpdate.Stats(2 * 5 * 10, 0, 0), st);
            gone.close();
            slow.close();
            ParameterVector c = a.copy();
            RoundCommit next = ReplicaUpdateTest.randomCommit(5, 3, 1, codec, 99);
            fast.apply(a, next, 0.05); // alone now: bypasses the cache
            lone.apply(c, next, 0.05);
            assertTrue(c.bitEquals(a));
            assertEquals(st.computed(), shared.stats().computed(), "a lone replica does not fill the cache");
            fast.close();
            assertThrows(IllegalStateException.class, () -> fast.apply(a, next, 0.05));
        });
    }

    @Test
    void fusedRoundsEqualRoundByRoundBitForBit() {
        for (Distribution dist : Distribution.values()) {
            for (int threads : new int[] {1, 2, 3}) {
                for (double wd : new double[] {0.0, 0.02}) {
                    ByteCodec codec = ByteCodec.named("log8");
                    ReplicaUpdate up = new ReplicaUpdate(new PerturbationStream(dist, CHUNK), codec, 5L, threads, wd);
                    List<RoundCommit> rounds = commits(7, codec, 8);
                    ParameterVector one = SpsaEstimatorTest.randomTheta(D, 2);
                    ParameterVector fused = one.copy();
                    List<ReplicaUpdate.Step> steps = new ArrayList<>();
                    for (int i = 0; i < rounds.size(); i++) {
                        double lr = 0.01 * (i + 1); // the learning rate may differ per round
                        up.applyOneByOne(one, rounds.get(i), lr);
                        steps.add(new ReplicaUpdate.Step(rounds.get(i), lr));
                    }
                    up.applyRounds(fused, steps.subList(0, 3));
                    up.applyRounds(fused, List.of());
                    up.applyRounds(fused, steps.subList(3, 7));
                    String what = dist + "/" + threads + "/" + wd;
                    assertTrue(one.bitEquals(fused), what);
                    assertFalse(one.bitEquals(SpsaEstimatorTest.randomTheta(D, 2)), what + ": something was applied");
                }
            }
        }
    }

    @Test
    void aBadCommitAmongFusedRoundsAppliesNothing() {
        ByteCodec codec = ByteCodec.named("log8");
        ReplicaUpdate up = new ReplicaUpdate(new PerturbationStream(Distribution.GAUSSIAN, CHUNK), codec, 5L, 1);
        ParameterVector t = SpsaEstimatorTest.randomTheta(D, 2);
        ParameterVector before = t.copy();
        RoundCommit wide = new RoundCommit(1, List.of(new Contribution(1, 0, new byte[4])));
        assertThrows(IllegalArgumentException.class, () -> up.applyRounds(t,
                List.of(new ReplicaUpdate.Step(ReplicaUpdateTest.randomCommit(0, 2, 1, codec, 1), 0.1), new ReplicaUpdate.Step(wide, 0.1))));
        assertTrue(before.bitEquals(t));
    }
}
