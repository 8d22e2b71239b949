package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import org.junit.jupiter.api.Test;

/** A 4-node embedded cluster (5 ActorSystems on loopback, Artery TCP) fine-tunes the tiny task. */
class EmbeddedClusterTest {
    static SpsaRunSettings.Builder tiny() {
        return SpsaRunSettings.builder().workload(TinyWorkloadFactory.SPEC).engine("core")
                .nodes(4).lr(0.05).batchSize(32).evalEvery(10).roundDeadline(Duration.ofSeconds(5)).runSeed(42);
    }

    static final class ListSink implements MetricsSink {
        final List<MetricsRow> rows = new ArrayList<>();

        @Override
        public synchronized void write(MetricsRow row) {
            rows.add(row);
        }

        @Override
        public void close() {}
    }

    @Test
    void fourNodesFineTuneWithAgreeingReplicas() throws Exception {
        SpsaRunSettings s = tiny().runId("embedded-4").rounds(80).build();
        ListSink sink = new ListSink();
        RunResult r = EmbeddedCluster.run(s, sink, new ProgressPrinter(System.out), Duration.ofMinutes(3));
        assertEquals(80, r.rows().size());
        assertEquals(r.rows(), sink.rows);
        for (MetricsRow row : r.rows()) {
            assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
            assertEquals(4, row.members(), "round " + row.round());
            assertEquals(4, row.contributed(), "round " + row.round());
            assertTrue(row.bytesUp() > 0 && row.bytesDown() > 0);
        }
        double acc = r.last().evalAccuracy();
        System.out.printf("initial accuracy %.4f -> final %.4f%n", r.initialEvalAccuracy(), acc);
        assertTrue(acc > r.initialEvalAccuracy() + 0.05, "accuracy " + r.initialEvalAccuracy() + " -> " + acc);
        assertTrue(r.last().evalLoss() < r.initialEvalLoss());
        assertEquals(0, r.hashMismatches());
        assertEquals(0, r.rejections().values().stream().mapToLong(Long::longValue).sum(), r.rejections().toString());
    }
}
