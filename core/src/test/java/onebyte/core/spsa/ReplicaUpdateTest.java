package onebyte.core.spsa;

import onebyte.core.perturbation.Distribution;

import onebyte.core.perturbation.PerturbationStream;

import onebyte.core.perturbation.SeedMixer;

import onebyte.core.tensor.ParameterVector;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReplicaUpdateTest {
    private static final int CHUNK = 256;

    static RoundCommit randomCommit(long round, int nodes, int samples, ByteCodec codec, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Contribution> cs = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            for (int k = 0; k < samples; k++) {
                double g = r.nextInt(5) == 0 ? 0.0 : (r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(6) - 3);
                cs.add(new Contribution(3 * i + 1, k, codec.encode(g, r.nextLong())));
            }
        }
        return new RoundCommit(round, cs);
    }

    @Test
    void fusedUpdateEqualsOneByOneBitForBit() {
        int d = 7 * CHUNK + 45;
        for (String codecName : new String[] {"log8", "f32", "sign:0.3", "paper"}) {
            ByteCodec codec = ByteCodec.named(codecName);
            for (Distribution dist : Distribution.values()) {
                PerturbationStream stream = new PerturbationStream(dist, CHUNK);
                for (double wd : new double[] {0.0, 0.01}) {
                    ReplicaUpdate ref = new ReplicaUpdate(stream, codec, 1234L, 1, wd);
                    ParameterVector expected = SpsaEstimatorTest.randomTheta(d, 8);
                    ParameterVector one = expected.copy();
                    ParameterVector two = expected.copy();
                    ParameterVector three = expected.copy();
                    for (long round = 0; round < 3; round++) {
                        RoundCommit c = randomCommit(round, 5, 2, codec, round * 31 + 7);
                        ref.applyOneByOne(expected, c, 0.05);
                        new ReplicaUpdate(stream, codec, 1234L, 1, wd).apply(one, c, 0.05);
                        new ReplicaUpdate(stream, codec, 1234L, 2, wd).apply(two, c, 0.05);
                        new ReplicaUpdate(stream, codec, 1234L, 3, wd).apply(three, c, 0.05);
                    }
                    String what = codecName + "/" + dist + "/wd=" + wd;
                    assertTrue(expected.bitEquals(one), what + " 1 thread");
                    assertTrue(expected.bitEquals(two), what + " 2 threads");
                    assertTrue(expected.bitEquals(three), what + " 3 threads");
                    assertFalse(expected.bitEquals(SpsaEstimatorTest.randomTheta(d, 8)), what + ": nothing was applied");
                }
            }
        }
    }

    @Test
    void goldenHashPinsTheWholeUpdatePipeline() {
        // seed mixing + generation + log8 decoding + float arithmetic + weight decay, end to end
        String[] expected = {"76016d22d97405866ccde51923823e333310febd1a006d90e47d6064244ea837",
            "ec9410d01c44d6db2b496008770744ac18673a544cc8c11617125fe4f307a6b0"};
        for (Distribution dist : Distribution.values()) {
            ReplicaUpdate up = new ReplicaUpdate(new PerturbationStream(dist, 256), new Log8Codec(), 99L, 2, 0.01);
            float[] t = new float[1000];
            for (int i = 0; i < t.length; i++) {
                t[i] = i / 1000f;
            }
            ParameterVector theta = ParameterVector.of(t);
            up.apply(theta, new RoundCommit(4, List.of(new Contribution(1, 0, new byte[] {50}),
                    new Contribution(1, 1, new byte[] {(byte) 0xB0}), new Contribution(3, 0, new byte[] {127}))), 0.01);
            assertEquals(expected[dist.ordinal()], theta.hashHex(), dist.toString());
        }
    }

    @Test
    void updateFollowsTheFormulaOfSpec2() {
        int d = 3 * CHUNK + 10;
        ByteCodec codec = new F32Codec();
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        long runSeed = 42L;
        long round = 17;
        double lr = 0.1;
        double[] g = {0.5, -2.0, 0.25};
        int[] nodes = {2, 5, 9};
        List<Contribution> cs = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            cs.add(new Contribution(nodes[k], 0, codec.encode(g[k], 0L)));
        }
        ParameterVector theta = SpsaEstimatorTest.randomTheta(d, 1);
        float[] t0 = theta.toArray();
        new ReplicaUpdate(stream, codec, runSeed, 2).apply(theta, new RoundCommit(round, cs), lr);
        double[] expect = new double[d];
        for (int i = 0; i < d; i++) {
            expect[i] = t0[i];
        }
        float[] z = new float[d];
        for (int k = 0; k < 3; k++) {
            stream.fill(SeedMixer.contributionSeed(runSeed, nodes[k], round, 0), z, 1);
            for (int i = 0; i < d; i++) {
                expect[i] -= lr / 3 * g[k] * z[i];
            }
        }
        float[] t = theta.toArray();
        for (int i = 0; i < d; i++) {
            assertEquals(expect[i], t[i], 1e-5, "element " + i);
        }
        // weight decay: θ ← θ − lr·λ·θ first
        ParameterVector w = ParameterVector.of(new float[] {1f, -2f, 0f});
        new ReplicaUpdate(stream, codec, runSeed, 1, 0.5).apply(w, new RoundCommit(0, List.of()), 0.1);
        assertArrayEquals(new float[] {0.95f, -1.9f, 0f}, w.toArray(), 1e-7f);
    }

    @Test
    void twoReplicasStayBitIdenticalOver200RoundsWhilePerturbingIndependently() {
        int d = 2000;
        QuadraticModel model = SpsaEstimatorTest.quadratic(d, 5);
        ByteCodec codec = ByteCodec.defaultCodec();
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        long runSeed = 2026L;
        ReplicaUpdate upA = new ReplicaUpdate(stream, codec, runSeed, 1, 1e-3);
        ReplicaUpdate upB = new ReplicaUpdate(stream, codec, runSeed, 2, 1e-3);
        ParameterVector a = SpsaEstimatorTest.randomTheta(d, 6);
        ParameterVector b = a.copy();
        ParameterVector scratchA = new ParameterVector(d);
        ParameterVector scratchB = new ParameterVector(d);
        SpsaEstimator estA = new SpsaEstimator(model, stream, 1e-3f, 1);
        SpsaEstimator estB = new SpsaEstimator(model, stream, 1e-3f, 2);
        double loss0 = model.loss(a, null);
        SplittableRandom noise = new SplittableRandom(1);
        for (long r = 0; r < 200; r++) {
            // node 1 and 3 estimate on replica A, node 2 on replica B (two samples each)
            List<Contribution> cs = new ArrayList<>();
            for (int node : new int[] {1, 2, 3}) {
                for (int k = 0; k < 2; k++) {
                    long s = SeedMixer.contributionSeed(runSeed, node, r, k);
                    SpsaEstimator est = node == 2 ? estB : estA;
                    ParameterVector theta = node == 2 ? b : a;
                    ParameterVector scratch = node == 2 ? scratchB : scratchA;
                    cs.add(new Contribution(node, k, codec.encode(est.estimate(theta, scratch, s, null), s)));
                }
            }
            // unrelated evaluations with other seeds in between, on each replica
            estA.estimate(a, scratchA, noise.nextLong(), null);
            estB.estimate(b, scratchB, noise.nextLong(), null);
            RoundCommit commit = RoundCommit.sorted(r, cs);
            upA.apply(a, commit, 2e-3);
            upB.apply(b, commit, 2e-3);
            assertEquals(a.hashHex(), b.hashHex(), "replicas diverged at round " + r);
        }
        assertTrue(a.bitEquals(b));
        double loss = model.loss(a, null);
        assertTrue(loss < 0.9 * loss0, "SPSA should reduce the quadratic's loss: " + loss0 + " -> " + loss);
    }

    @Test
    void aCodeOfTheWrongWidthOrANonFiniteLrIsRejectedAndNothingApplied() {
        int d = 600;
        PerturbationStream stream = new PerturbationStream(Distribution.RADEMACHER, CHUNK);
        ReplicaUpdate up = new ReplicaUpdate(stream, new Log8Codec(), 1L, 2);
        ParameterVector theta = SpsaEstimatorTest.randomTheta(d, 3);
        ParameterVector before = theta.copy();
        RoundCommit c = new RoundCommit(5, List.of(new Contribution(1, 0, new byte[] {40}), new Contribution(7, 0, new byte[] {41})));

        RoundCommit wide = new RoundCommit(5, List.of(new Contribution(1, 0, new byte[] {1, 2, 3, 4})));
        assertThrows(IllegalArgumentException.class, () -> up.apply(theta, wide, 0.1));
        assertThrows(IllegalArgumentException.class, () -> up.apply(theta, c, Double.NaN));
        assertTrue(theta.bitEquals(before));

        up.apply(theta, c, 0.1);
        assertFalse(theta.bitEquals(before));
    }

    @Test
    void roundCommitValidatesOrderUniquenessAndWidth() {
        Contribution a = new Contribution(1, 0, new byte[] {1});
        Contribution b = new Contribution(1, 1, new byte[] {2});
        Contribution c = new Contribution(2, 0, new byte[] {3});
        assertEquals(3, new RoundCommit(0, List.of(a, b, c)).n());
        assertThrows(IllegalArgumentException.class, () -> new RoundCommit(0, List.of(b, a, c)));
        assertThrows(IllegalArgumentException.class, () -> new RoundCommit(0, List.of(a, new Contribution(1, 0, new byte[] {9}))));
        assertThrows(IllegalArgumentException.class, () -> new RoundCommit(0, List.of(a, new Contribution(2, 0, new byte[] {1, 2}))));
        assertThrows(IllegalArgumentException.class, () -> new RoundCommit(-1, List.of()));
        assertEquals(List.of(a, b, c), RoundCommit.sorted(0, List.of(c, b, a)).contributions());
        assertEquals(0, new RoundCommit(3, List.of()).width());
        byte[] code = {5};
        Contribution copy = new Contribution(4, 0, code);
        code[0] = 6;
        assertEquals(new Contribution(4, 0, new byte[] {5}), copy);
    }

    @Test
    void emptyCommitLeavesThetaUnchanged() {
        PerturbationStream stream = new PerturbationStream(Distribution.GAUSSIAN, CHUNK);
        ParameterVector theta = SpsaEstimatorTest.randomTheta(300, 3);
        ParameterVector before = theta.copy();
        new ReplicaUpdate(stream, new Log8Codec(), 1L, 2).apply(theta, new RoundCommit(0, List.of()), 0.1);
        new ReplicaUpdate(stream, new Log8Codec(), 1L, 2).apply(theta,
                new RoundCommit(1, List.of(new Contribution(1, 0, new byte[] {0}))), 0.1);
        assertTrue(theta.bitEquals(before));
    }
}
