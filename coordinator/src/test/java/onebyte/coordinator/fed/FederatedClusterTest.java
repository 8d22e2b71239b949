package onebyte.coordinator.fed;

import onebyte.core.algorithm.Algorithm;
import onebyte.proto.WorkloadSpec;
import onebyte.coordinator.cluster.TestWorkloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.coordinator.cluster.ChurnDriver;
import onebyte.coordinator.console.ProgressLines;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.scenario.ChurnEvent;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.core.fed.FedSpeedClient;
import onebyte.core.fed.FedSpeedParams;
import onebyte.core.fed.FedSpeedServer;
import onebyte.core.fed.ServerMean;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.node.fed.FedChunks;
import onebyte.node.fed.FedSeeds;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireStats;
import org.junit.jupiter.api.Test;

/** FedSpeed rounds on a real embedded cluster (loopback Artery TCP, protobuf chunks, ND4J). */
class FederatedClusterTest {
    /** An MLP 20-1700-4: d = 42,504, two FedModelChunks per vector. */
    static final WorkloadSpec WIDE = TestWorkloads.synthetic(1700, 1200, 300, 0);
    static final WorkloadSpec SMALL = TestWorkloads.synthetic(16, 1200, 300, 20);

    static FedRunSettings settings(String id, WorkloadSpec workload, int nodes, long rounds, Duration deadline) {
        FedSpeedParams client = new FedSpeedParams(3, 0.05, 0.99, 0.1, 0.1, 1.0, 16, true);
        return new FedRunSettings(id, Algorithm.FEDSPEED, 7, nodes, rounds, client, 1.0, deadline, 1, workload, 10, 10, 10, null);
    }

    /** Records each round's global-model hash (first 8 bytes of SHA-256 of x^{t+1}). */
    static final class Hashes implements RunListener {
        final Map<Long, Long> byRound = new ConcurrentHashMap<>();

        @Override
        public void roundClosed(MetricsRow row, RoundReport report) {
            byRound.put(report.round(), report.replicaHash());
        }
    }

    /**
     * Two FedSpeed rounds of 3 nodes on the cluster against the same rounds computed in this
     * thread with the core classes (FedSpeedClient per shard, with its ĝ_i carried from round 0 to
     * round 1; ServerMean in node-id order): every x̂_i and both global models are bit-identical.
     * Same code, same float32 operation order, same minibatch seeds (FedSeeds.localSeed per shard
     * and round); x^t crosses the wire as raw float32 bits, so nothing is rounded on the way.
     */
    @Test
    void fedSpeedRoundsOnTheClusterEqualTheCoreMathBitForBit() throws Exception {
        FedRunSettings s = settings("fed-equal", WIDE, 3, 2, Duration.ofSeconds(60));
        Hashes hashes = new Hashes();
        RunResult r;
        Map<Integer, Map<Long, ParameterVector>> sent = new TreeMap<>();
        Map<Integer, Integer> shardOf = new TreeMap<>();
        try (FederatedCluster fc = FederatedCluster.start(s, null, RunListener.all(hashes, new ProgressLines(System.out)), null, 3)) {
            r = fc.await(Duration.ofMinutes(3));
            for (int id = 1; id <= 3; id++) {
                sent.put(id, fc.computed(id));
                shardOf.put(id, fc.shardOf(id));
            }
        }
        Workload w = Workloads.get(s.workload(), s.runSeed());
        assertEquals(2, FedChunks.count(w.numParams()), "the model must need more than one chunk");
        Model model = w.newModel();
        ParameterVector x = w.initialParameters();
        Map<Integer, FedSpeedClient> clients = new TreeMap<>();
        for (long round = 0; round < 2; round++) {
            FedSpeedParams p = s.client().withLr(s.client().lrAt(round));
            List<ParameterVector> xs = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                int shard = shardOf.get(id);
                ParameterVector xHat = clients.computeIfAbsent(id, k -> new FedSpeedClient())
                        .localRound(model, x, w.shard(shard), p, FedSeeds.localSeed(s.runSeed(), shard, round));
                assertTrue(xHat.bitEquals(sent.get(id).get(round)), "x̂ of node " + id + " in round " + round);
                xs.add(xHat);
            }
            ParameterVector next = ServerMean.mean(xs);
            assertFalse(next.bitEquals(x), "the round must move the model");
            x = next;
            assertEquals(Wire.hash8(x.hash()), hashes.byRound.get(round), "global model after round " + round);
        }
        assertEquals(x.hashHex(), r.finalHash());

        List<MetricsRow> rows = r.rows();
        assertEquals(2, rows.size());
        int d = w.numParams();
        for (MetricsRow row : rows) {
            assertEquals("fedspeed", row.algorithm());
            assertEquals(3, row.contributed());
            assertEquals(null, row.replicasAgree());
            // each participant: x^t down and x̂_i up as two chunks each, at least 4d bytes per direction
            // (round 0 also carries the three admissions)
            assertTrue(row.bytesDown() >= 3L * 4 * d && row.bytesDown() < 3L * (4 * d + 400) + (row.round() == 0 ? 3_000 : 0),
                    "down " + row.bytesDown());
            assertTrue(row.bytesUp() >= 3L * 4 * d && row.bytesUp() < 3L * (4 * d + 400) + (row.round() == 0 ? 3_000 : 0),
                    "up " + row.bytesUp());
            assertTrue(!Double.isNaN(row.evalAccuracy()) && !Double.isNaN(row.trainLoss()));
        }
        assertEquals(2 * 3 * 6, rows.get(1).forwardPassesCum()); // K = 3, two gradient passes per step, 3 nodes, 2 rounds
        assertEquals(s.client().lrAt(1), rows.get(1).lr(), 0);
        assertTrue(rows.get(1).virtualTimeS() > rows.get(0).virtualTimeS());
    }

    /**
     * Node 3 crashes after it was chosen as a participant of round 2 and before it returned x̂:
     * its ActorSystem is terminated while x^2 is on its way. Round 2 closes without it (when the
     * cluster reports it unreachable, or at the deadline), x^3 is the mean of the other two x̂,
     * and the run goes on to the end with two members.
     */
    @Test
    void aParticipantThatCrashesMidRoundIsLeftOutOfTheMeanAndTheRunGoesOn() throws Exception {
        FedRunSettings s = settings("fed-crash", SMALL, 3, 5, Duration.ofSeconds(20));
        ChurnSchedule schedule = new ChurnSchedule(3, List.of(
                new ChurnEvent(0, 2, ChurnEvent.Action.CRASH, 3, ChurnEvent.Sync.AUTO, "default", "test")));
        ChurnDriver churn = new ChurnDriver(schedule);
        Hashes hashes = new Hashes();
        RunResult r;
        Map<Integer, Map<Long, ParameterVector>> sent = new TreeMap<>();
        int crashedId;
        try (FederatedCluster fc = FederatedCluster.start(s, null, RunListener.all(churn, hashes, new ProgressLines(System.out)),
                churn, 3)) {
            r = fc.await(Duration.ofMinutes(3));
            crashedId = fc.initialNodeId(3);
            for (int id = 1; id <= 3; id++) {
                sent.put(id, fc.computed(id));
            }
            assertEquals(0, WireStats.get(fc.coordinatorSystem()).rejections().total(),
                    WireStats.get(fc.coordinatorSystem()).rejections().snapshot().toString());
        }
        List<MetricsRow> rows = r.rows();
        assertEquals(5, rows.size());
        assertEquals(3, rows.get(2).planned());
        assertEquals(2, rows.get(2).contributed());
        assertEquals(1, rows.get(2).crashed());
        assertEquals(List.of(crashedId), r.crashedNodes());
        assertFalse(sent.get(crashedId).containsKey(2L), "the crashed node never computed round 2");
        List<ParameterVector> survivors = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            if (id != crashedId) {
                survivors.add(sent.get(id).get(2L));
            }
        }
        assertEquals(Wire.hash8(ServerMean.mean(survivors).hash()), hashes.byRound.get(2L), "x^3 = mean of the two survivors");
        List<ParameterVector> all3 = new ArrayList<>(survivors);
        all3.add(sent.get(crashedId).get(1L));
        assertNotEquals(Wire.hash8(ServerMean.mean(all3).hash()), hashes.byRound.get(2L));
        for (int t = 3; t < 5; t++) {
            assertEquals(2, rows.get(t).members());
            assertEquals(2, rows.get(t).contributed());
        }
    }
    /**
     * Participation 0.5 with the simulator server form: 4 nodes, 2 sampled per round. The same
     * rounds computed here with the core classes (one FedSpeedClient per node, kept across the
     * rounds it sits out; FedSpeedServer SIMULATOR over the 4 members) give every round's global
     * model bit for bit, and the paper form would have given another one.
     */
    @Test
    void withParticipationHalfTheSimulatorFormUsesTheDualsOfClientsThatSatOut() throws Exception {
        FedRunSettings p = settings("fed-half", SMALL, 4, 4, Duration.ofSeconds(60));
        FedRunSettings s = new FedRunSettings(p.runId(), p.algorithm(), p.runSeed(), 4, 4, p.client(), 0.5, p.roundDeadline(),
                1, p.workload(), p.links(), null, 0, 0, FedSpeedServer.Form.SIMULATOR);
        Hashes hashes = new Hashes();
        RunResult r;
        Map<Integer, Integer> shardOf = new TreeMap<>();
        try (FederatedCluster fc = FederatedCluster.start(s, null, RunListener.all(hashes, new ProgressLines(System.out)), null, 4)) {
            r = fc.await(Duration.ofMinutes(3));
            for (int id = 1; id <= 4; id++) {
                shardOf.put(id, fc.shardOf(id));
            }
        }
        Workload w = Workloads.get(s.workload(), s.runSeed());
        Model model = w.newModel();
        Map<Integer, FedSpeedClient> clients = new TreeMap<>();
        FedSpeedServer simulator = new FedSpeedServer(FedSpeedServer.Form.SIMULATOR);
        FedSpeedServer paper = new FedSpeedServer(FedSpeedServer.Form.PAPER);
        TreeSet<Integer> members = new TreeSet<>(shardOf.keySet());
        ParameterVector x = w.initialParameters();
        List<List<Integer>> sampled = new ArrayList<>();
        for (long round = 0; round < 4; round++) {
            List<Integer> pt = FedSeeds.participants(s.runSeed(), round, members, 0.5);
            assertEquals(2, pt.size());
            sampled.add(pt);
            FedSpeedParams c = s.client().withLr(s.client().lrAt(round));
            TreeMap<Integer, ParameterVector> returned = new TreeMap<>();
            for (int id : pt) {
                int shard = shardOf.get(id);
                returned.put(id, clients.computeIfAbsent(id, k -> new FedSpeedClient())
                        .localRound(model, x, w.shard(shard), c, FedSeeds.localSeed(s.runSeed(), shard, round)));
            }
            ParameterVector next = simulator.next(round, x, returned, members);
            if (round > 0) {
                assertFalse(next.bitEquals(paper.next(round, x, returned, members)), "the forms differ in round " + round);
            }
            x = next;
            assertEquals(Wire.hash8(x.hash()), hashes.byRound.get(round), "global model after round " + round);
            assertEquals(2, r.rows().get((int) round).contributed());
        }
        assertEquals(x.hashHex(), r.finalHash());
        assertTrue(simulator.clientsWithDuals().size() > 2, "duals of clients that sat the last round out are kept");
        boolean cameBack = members.stream().anyMatch(id -> {
            String in = sampled.stream().map(pt -> pt.contains(id) ? "1" : "0").reduce("", String::concat);
            return in.matches("0*1+0+1.*");
        });
        assertTrue(cameBack, "some client took part, sat out, then took part again with the ĝ_i it kept: " + sampled);
    }
}
