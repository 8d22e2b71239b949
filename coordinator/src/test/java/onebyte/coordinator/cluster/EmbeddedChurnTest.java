package onebyte.coordinator.cluster;

import onebyte.coordinator.console.ProgressLines;
import onebyte.coordinator.experiment.ScenarioSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.cluster.SpsaRunSettings.Churn;
import org.junit.jupiter.api.Test;

/**
 * Churn on a real embedded cluster: a 5th node joins by snapshot at round 6, a 6th by replay at
 * round 12, node 2 crashes (its ActorSystem terminated, no leave) right after round 24's member
 * set is fixed, and node 3 leaves gracefully at round 32.
 */
class EmbeddedChurnTest {
    @Test
    void joinBySnapshotAndReplayCrashAndLeave() throws Exception {
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("churn").rounds(45).roundDeadline(Duration.ofSeconds(2))
                .churn(List.of(Churn.parse("6:join-snapshot"), Churn.parse("12:join-replay"), Churn.parse("24:crash:2"),
                        Churn.parse("32:leave:3")))
                .build();
        Map<Long, RunListener.RoundReport> reports = new ConcurrentHashMap<>();
        RunListener record = new RunListener() {
            @Override
            public void roundClosed(MetricsRow row, RoundReport report) {
                reports.put(row.round(), report);
            }
        };
        EmbeddedClusterTest.ListSink sink = new EmbeddedClusterTest.ListSink();
        RunResult r;
        Map<Integer, EmbeddedCluster.NodeRecord> nodes;
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, sink, RunListener.all(record, new ProgressLines(System.out)))) {
            r = ec.await(Duration.ofMinutes(3));
            nodes = Map.copyOf(ec.nodes());
            Thread.sleep(500); // RunComplete reaches the nodes
        }
        List<MetricsRow> rows = r.rows();
        assertEquals(45, rows.size());
        rows.forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round()));

        // joins: one by snapshot, one by replay, both agreeing from their first round
        RunResult.JoinRecord snap = r.joins().stream().filter(j -> j.sync().equals("SYNC_SNAPSHOT")).findFirst().orElseThrow();
        RunResult.JoinRecord replay = r.joins().stream().filter(j -> j.sync().equals("SYNC_REPLAY")).findFirst().orElseThrow();
        for (RunResult.JoinRecord j : List.of(snap, replay)) {
            assertTrue(j.hashAgrees() && j.bytes() > 0 && j.seconds() > 0, j.toString());
            RunResult.FirstRound first = r.firstRoundAgreement().get(j.nodeId());
            assertNotNull(first, "node " + j.nodeId() + " never contributed");
            assertTrue(first.agrees(), j + " " + first);
            // the node's own hash of θ at its first round equals the coordinator's θ of that round
            EmbeddedCluster.NodeRecord nr = nodes.get(j.nodeId());
            long firstRound = nr.firstContributedRound;
            assertEquals(reports.get(firstRound - 1).replicaHash(), nr.hashes.get(firstRound), "node " + j.nodeId());
            System.out.printf("join by %s: node %d synced to round %d with %d bytes in %.3f s%n", j.sync(), j.nodeId(), j.round(),
                    j.bytes(), j.seconds());
        }
        assertTrue(snap.bytes() >= 4L * 27, "a snapshot carries θ");

        // crash: node 2 is in M_24 but never reports; round 24 closes at its deadline without it
        RunListener.RoundReport crashRound = reports.get(24L);
        assertTrue(crashRound.members().contains(2));
        assertFalse(crashRound.contributors().contains(2));
        assertTrue(crashRound.closedByDeadline());
        assertTrue(crashRound.wallSeconds() >= 1.9 && crashRound.wallSeconds() < 6.0, "round 24 took " + crashRound.wallSeconds());
        for (long round = 25; round < 45; round++) {
            assertFalse(reports.get(round).members().contains(2), "crashed node in round " + round);
            assertFalse(reports.get(round).closedByDeadline(), "round " + round + " waited for a deadline");
        }
        assertEquals(1, rows.get(24).crashed());
        assertEquals(1, rows.stream().mapToInt(MetricsRow::crashed).sum());
        assertEquals(List.of(2), r.crashedNodes());

        // leave at round 32: node 3 takes part in round 31 and is in no round from 32 on
        assertTrue(reports.get(31L).contributors().contains(3));
        for (long round = 32; round < 45; round++) {
            assertFalse(reports.get(round).members().contains(3), "left node in round " + round);
        }
        assertEquals(1, rows.get(32).left());
        assertEquals(1, rows.stream().mapToInt(MetricsRow::left).sum());
        assertEquals(2, rows.stream().mapToInt(MetricsRow::joined).sum(), "the two joiners; the initial members are not churn");
        assertEquals(0, rows.get(0).joined());

        // nothing committed is lost: every surviving node ends on the coordinator's final θ
        long finalHash = reports.get(44L).replicaHash();
        for (int id : List.of(1, 4, 5, 6)) {
            assertEquals(45, nodes.get(id).finalRound, "node " + id);
            assertEquals(finalHash, nodes.get(id).finalHash, "node " + id);
        }
        assertEquals(0, r.hashMismatches());
    }

    /** θ of 51 204 floats travels as two SnapshotChunks; the joiner agrees from its first round. */
    @Test
    void largeSnapshotInChunks() throws Exception {
        SpsaRunSettings s = ScenarioSettings.spsaDefaults().runId("big-snapshot").engine("core").nodes(3).rounds(8).lr(1e-3)
                .workload(TestWorkloads.synthetic(2048, 1000, 200, 0))
                .churn(List.of(Churn.parse("4:join-snapshot"))).roundDeadline(Duration.ofSeconds(10)).build();
        RunResult r = EmbeddedCluster.run(s, null, new ProgressLines(System.out), Duration.ofMinutes(3));
        r.rows().forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round()));
        RunResult.JoinRecord snap = r.joins().stream().filter(j -> j.sync().equals("SYNC_SNAPSHOT")).findFirst().orElseThrow();
        assertTrue(snap.hashAgrees());
        assertTrue(snap.bytes() > 4L * 51_204 && snap.bytes() < 4L * 51_204 + 1024, "snapshot bytes " + snap.bytes());
        assertEquals(2L, r.bytesByType().get("down:SnapshotChunk") / (4L * 32 * 1024) + 1);
        assertTrue(r.firstRoundAgreement().get(snap.nodeId()).agrees());
        assertEquals(4, r.rows().get(4).members());
        System.out.printf("snapshot of d=51204: %d bytes in %.3f s%n", snap.bytes(), snap.seconds());
    }

    /** Events on the virtual clock apply to the first round that starts at or after their time. */
    @Test
    void churnOnTheVirtualClock() throws Exception {
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("clock").nodes(3).rounds(40)
                .churn(List.of(Churn.parse("0.5s:join-replay"), Churn.parse("0.75s:leave"))).build();
        RunResult r = EmbeddedCluster.run(s, null, null, Duration.ofMinutes(2));
        List<MetricsRow> rows = r.rows();
        int join = -1;
        int leave = -1;
        for (MetricsRow row : rows) {
            if (row.round() > 0 && row.joined() == 1) join = (int) row.round();
            if (row.left() == 1) leave = (int) row.round();
        }
        assertTrue(join > 0 && leave > join, "join " + join + ", leave " + leave);
        assertTrue(rows.get(join - 1).virtualTimeS() >= 0.5 && rows.get(join - 2).virtualTimeS() < 0.5);
        assertTrue(rows.get(leave - 1).virtualTimeS() >= 0.75 && rows.get(leave - 2).virtualTimeS() < 0.75);
        assertEquals(4, rows.get(join).members());
        assertEquals(3, rows.get(leave).members());
        rows.forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round()));
    }
}
