package onebyte.coordinator.cluster;

import onebyte.coordinator.console.ProgressLines;
import onebyte.core.algorithm.Algorithm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.coordinator.fed.FederatedCluster;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.scenario.ChurnEvent;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.core.fed.FedSpeedParams;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5 with two node classes: three "fast" initial nodes (10 Mbit/s, 1 ms) and a "slow"
 * joiner (50 kbit/s up, 500 kbit/s down, 200 ms) that joins at round 5. Before the join a round
 * lasts as long as a fast node needs; once the slow node takes part, it decides every round's
 * virtual time over its own links, in SPSA and in FedSpeed alike.
 */
class NodeClassLinksTest {
    static final NodeLinks.Links FAST = new NodeLinks.Links(10, 10, 1);
    static final NodeLinks.Links SLOW = new NodeLinks.Links(0.05, 0.5, 200);
    static final long JOIN_ROUND = 5;

    static NodeLinks links() {
        Map<String, NodeLinks.Links> classes = new LinkedHashMap<>();
        classes.put("fast", FAST);
        classes.put("slow", SLOW);
        return new NodeLinks("fast", classes);
    }

    static ChurnDriver slowJoiner() {
        return new ChurnDriver(new ChurnSchedule(3, List.of(
                new ChurnEvent(0, JOIN_ROUND, ChurnEvent.Action.JOIN, 4, ChurnEvent.Sync.AUTO, "slow", "test"))));
    }

    /** Seconds of one participant with these links when every participant moved the same bytes. */
    static double seconds(VirtualClock clock, long forward, long gradient, long elements, MetricsRow row, int participants,
                          NodeLinks.Links l) {
        return clock.participantSeconds(new VirtualClock.ParticipantWork(forward, gradient, elements, row.bytesUp() / participants,
                row.bytesDown() / participants, l));
    }

    @Test
    void spsaRoundsLastAsLongAsTheSlowClassNeeds() throws Exception {
        VirtualClock.WorkCosts costs = new VirtualClock.WorkCosts(0.01, 0, 1e-6);
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("classes-spsa").nodes(3).rounds(10).links(links()).workCosts(costs)
                .build();
        RunResult r;
        try (EmbeddedCluster ec = EmbeddedCluster.start(s, null, new ProgressLines(System.out), slowJoiner())) {
            r = ec.await(Duration.ofMinutes(3));
        }
        List<MetricsRow> rows = r.rows();
        VirtualClock clock = new VirtualClock(costs);
        int d = 8 * 3 + 3;
        for (int i = 1; i < rows.size(); i++) {
            MetricsRow row = rows.get(i);
            double took = row.virtualTimeS() - rows.get(i - 1).virtualTimeS();
            long generated = d + (long) rows.get(i - 1).contributed() * d; // z once for its sample, once per code of the last commit
            assertEquals(i < JOIN_ROUND ? 3 : 4, row.members(), "round " + i);
            if (i == JOIN_ROUND) {
                assertTrue(took > SLOW.latencyMs() / 1000, "the joiner's round: " + took);
                continue;
            }
            // every member moves the same bytes in a round after round 0 (but the join round)
            double fast = seconds(clock, 2, 0, generated, row, row.members(), FAST);
            double slow = seconds(clock, 2, 0, generated, row, row.members(), SLOW);
            assertTrue(slow > fast + 0.15);
            assertEquals(i < JOIN_ROUND ? fast : slow, took, 1e-9, "round " + i);
        }
    }

    @Test
    void fedSpeedRoundsLastAsLongAsTheSlowClassNeeds() throws Exception {
        VirtualClock.WorkCosts costs = new VirtualClock.WorkCosts(0, 0.01, 0);
        FedSpeedParams client = new FedSpeedParams(3, 0.05, 0.99, 0.1, 0.1, 1.0, 16, true);
        FedRunSettings s = new FedRunSettings("classes-fed", Algorithm.FEDSPEED, 7, 3, 9, client, 1.0, Duration.ofSeconds(30), 5,
                TestWorkloads.synthetic(16, 1200, 300, 20), links(), costs, 0, 0);
        ChurnDriver churn = slowJoiner();
        RunResult r = FederatedCluster.run(s, null, RunListener.all(churn, new ProgressLines(System.out)), churn,
                Duration.ofMinutes(3));
        List<MetricsRow> rows = r.rows();
        VirtualClock clock = new VirtualClock(costs);
        int grads = s.gradientPassesPerRound();
        for (int i = 1; i < rows.size(); i++) {
            MetricsRow row = rows.get(i);
            double took = row.virtualTimeS() - rows.get(i - 1).virtualTimeS();
            assertEquals(i < JOIN_ROUND ? 3 : 4, row.contributed(), "round " + i);
            if (i == JOIN_ROUND) {
                assertTrue(took > SLOW.latencyMs() / 1000, "the joiner's round: " + took);
                continue;
            }
            double fast = seconds(clock, 0, grads, 0, row, row.contributed(), FAST);
            double slow = seconds(clock, 0, grads, 0, row, row.contributed(), SLOW);
            assertTrue(slow > fast + 0.15);
            assertEquals(i < JOIN_ROUND ? fast : slow, took, 1e-9, "round " + i);
        }
    }
}
