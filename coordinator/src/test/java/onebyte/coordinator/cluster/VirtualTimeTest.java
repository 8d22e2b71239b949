package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;

/** With work costs set, a round's virtual time is the lead's counted-work clock of its slowest node. */
class VirtualTimeTest {
    @Test
    void countedWorkClock() throws Exception {
        double perForward = 0.01;
        double perElement = 1e-6;
        SpsaRunSettings s = EmbeddedClusterTest.tiny().runId("clock").nodes(3).rounds(10).bandwidthMbps(1).latencyMs(5)
                .workCosts(new VirtualClock.WorkCosts(perForward, 0, perElement)).build();
        RunResult r = EmbeddedCluster.run(s, null, null, Duration.ofMinutes(2));
        List<MetricsRow> rows = r.rows();
        int d = 8 * 3 + 3;
        for (int i = 1; i < rows.size(); i++) {
            MetricsRow row = rows.get(i);
            // 3 identical nodes: 2 forward passes, z generated once for its sample and once per code of
            // the previous commit, a third of the round's bytes each way, a one-way latency each way
            long generated = d + (long) rows.get(i - 1).contributed() * d;
            double expected = 2 * perForward + generated * perElement + (row.bytesUp() + row.bytesDown()) / 3.0 * 8 / 1e6 + 2 * 0.005;
            assertEquals(expected, row.virtualTimeS() - rows.get(i - 1).virtualTimeS(), 1e-9, "round " + i);
        }
    }
}
