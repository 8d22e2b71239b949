package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.cluster.SpsaRunSettings.Churn;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.core.spsa.SharedReplicaUpdate;
import onebyte.node.engine.SharedUpdates;
import org.junit.jupiter.api.Test;

/**
 * The same embedded run with churn (a join by snapshot, one by replay, a crash, a leave) with
 * {@code sharedRegeneration} on and off: every metrics row (wall time aside), the coordinator's
 * θ hash after every round, every node's hash at every round it computed in and its final hash
 * are identical, and with sharing on the replicas did take each other's chunks.
 */
class SharedRegenerationTest {
    private record Outcome(List<MetricsRow> rows, Map<Long, Long> coordinatorHashes, Map<Integer, Map<Long, Long>> nodeHashes,
                           Map<Integer, Long> finalHashes, String finalHash) {}

    private static Outcome run(boolean shared) throws Exception {
        // a generous deadline: on a loaded machine a node that misses it counts as crashed and the two runs' rows differ
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("shared-" + shared).rounds(24).samplesPerNode(2)
                .workload(TestWorkloads.synthetic(16, 400, 100, 20)).chunkSize(64).weightDecay(0.01)
                .roundDeadline(Duration.ofSeconds(8)).workCosts(new VirtualClock.WorkCosts(1e-3, 0, 1e-8))
                .churn(List.of(Churn.parse("4:join-snapshot"), Churn.parse("8:join-replay"), Churn.parse("12:crash:2"),
                        Churn.parse("16:leave:3")))
                .sharedRegeneration(shared).build();
        Map<Long, Long> coordinator = new ConcurrentHashMap<>();
        RunListener record = new RunListener() {
            @Override
            public void roundClosed(MetricsRow row, RoundReport report) {
                coordinator.put(row.round(), report.replicaHash());
            }
        };
        RunResult r;
        Map<Integer, Map<Long, Long>> nodeHashes = new TreeMap<>();
        Map<Integer, Long> finals = new TreeMap<>();
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, record)) {
            r = ec.await(Duration.ofMinutes(3));
            Thread.sleep(500); // RunComplete reaches the nodes
            ec.nodes().forEach((id, n) -> {
                nodeHashes.put(id, new TreeMap<>(n.hashes));
                if (n.finalRound >= 0) {
                    finals.put(id, n.finalHash);
                }
            });
        }
        List<MetricsRow> rows = r.rows().stream().map(MetricsRow::repeatable).toList();
        return new Outcome(rows, new TreeMap<>(coordinator), nodeHashes, finals, r.finalHash());
    }

    @Test
    void churnRunIsBitIdenticalWithAndWithoutSharing() throws Exception {
        SharedReplicaUpdate.Stats before = SharedUpdates.totals();
        Outcome on = run(true);
        SharedReplicaUpdate.Stats during = SharedUpdates.totals();
        Outcome off = run(false);
        SharedReplicaUpdate.Stats after = SharedUpdates.totals();

        assertEquals(24, on.rows().size());
        on.rows().forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round()));
        assertEquals(2, on.rows().stream().mapToInt(MetricsRow::joined).sum());
        assertEquals(1, on.rows().stream().mapToInt(MetricsRow::crashed).sum());
        assertEquals(1, on.rows().stream().mapToInt(MetricsRow::left).sum());
        for (int i = 0; i < on.rows().size(); i++) {
            assertEquals(off.rows().get(i), on.rows().get(i), "row " + i);
        }
        assertEquals(off.coordinatorHashes(), on.coordinatorHashes());
        assertEquals(off.nodeHashes(), on.nodeHashes());
        assertEquals(off.finalHashes(), on.finalHashes());
        for (int id : List.of(1, 4, 5, 6)) {
            assertEquals(on.coordinatorHashes().get(23L), on.finalHashes().get(id), "node " + id + " ends on the final θ");
        }
        assertEquals(off.finalHash(), on.finalHash());

        // sharing happened with it on, and not with it off
        long reused = during.reused() - before.reused();
        long computed = during.computed() - before.computed();
        assertTrue(reused > 2 * computed, "replicas took most chunks from each other: computed " + computed + ", reused " + reused);
        assertEquals(during.computed(), after.computed());
        assertEquals(during.reused(), after.reused());
    }
}
