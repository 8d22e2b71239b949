package onebyte.coordinator.cluster;

import onebyte.coordinator.console.ProgressLines;
import onebyte.proto.WorkloadSpec;
import onebyte.coordinator.experiment.ScenarioSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
        return ScenarioSettings.spsaDefaults().workload(TinyWorkloadFactory.SPEC).engine("core")
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

    /** The real workload: an MLP pretrained with Adam on the source distribution, fine-tuned on the shifted target. */
    static final WorkloadSpec SYNTHETIC = TestWorkloads.synthetic(16, 4000, 1000, 400);

    @Test
    void fourNodesFineTuneThePretrainedModelWithAgreeingReplicas() throws Exception {
        SpsaRunSettings s = ScenarioSettings.spsaDefaults().runId("embedded-4").workload(SYNTHETIC).engine("core").nodes(4)
                .rounds(80).lr(0.02).batchSize(64).evalEvery(10).roundDeadline(Duration.ofSeconds(5)).runSeed(42).build();
        ListSink sink = new ListSink();
        RunResult r = EmbeddedCluster.run(s, sink, new ProgressLines(System.out), Duration.ofMinutes(3));
        assertEquals(80, r.rows().size());
        assertEquals(r.rows(), sink.rows);
        for (MetricsRow row : r.rows()) {
            assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
            assertEquals(4, row.members(), "round " + row.round());
            assertEquals(4, row.contributed(), "round " + row.round());
            assertTrue(row.bytesUp() > 0 && row.bytesDown() > 0);
            assertTrue(row.virtualTimeS() > 0 && row.forwardPassesCum() == 8 * (row.round() + 1), row.toString());
        }
        double acc = r.last().evalAccuracy();
        System.out.printf("pretrained accuracy on the target %.4f -> %.4f after 80 rounds%n", r.initialEvalAccuracy(), acc);
        assertTrue(r.initialEvalAccuracy() > 0.5, "the start is pretrained: " + r.initialEvalAccuracy());
        assertTrue(acc > r.initialEvalAccuracy() + 0.04, "accuracy " + r.initialEvalAccuracy() + " -> " + acc);
        assertTrue(r.last().evalLoss() < r.initialEvalLoss());
        assertEquals(0, r.hashMismatches());
        assertEquals(0, r.rejections().values().stream().mapToLong(Long::longValue).sum(), r.rejections().toString());
        // steady-state bytes: per node and round, one Contribution + MetricsReport up, RoundOpen + Commit down
        MetricsRow steady = r.rows().get(40);
        System.out.printf("round 40: %d B up, %d B down for 4 nodes%n", steady.bytesUp(), steady.bytesDown());
        assertEquals(4 * (14 + onebyte.node.wire.Wire.ENVELOPE_BYTES), steady.bytesUp());
        long up = 0;
        long down = 0;
        for (int id = 1; id <= 4; id++) {
            up += r.bytesByNode().get(id + ":up");
            down += r.bytesByNode().get(id + ":down");
        }
        // RunComplete goes out after the last row was written
        assertEquals(r.last().bytesCum() + r.bytesByType().get("down:RunComplete"), up + down,
                "per-node counters add up to the rows' bytes");
    }

    @Test
    void theLearningRateDecaysByRoundAndEveryReplicaTakesItFromTheCommit() throws Exception {
        SpsaRunSettings decaying = tiny().runId("lr-decay").nodes(3).rounds(12).lrDecay(0.8).build();
        RunResult r = EmbeddedCluster.run(decaying, null, new RunListener() {}, Duration.ofMinutes(2));
        assertEquals(12, r.rows().size());
        for (MetricsRow row : r.rows()) {
            assertEquals(0.05 * StrictMath.pow(0.8, row.round()), row.lr(), 0.0, "round " + row.round());
            assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round());
        }
        RunResult constant = EmbeddedCluster.run(tiny().runId("lr-decay").nodes(3).rounds(12).build(), null, new RunListener() {},
                Duration.ofMinutes(2));
        assertEquals(r.rows().get(0).trainLoss(), constant.rows().get(0).trainLoss(), "round 0 is the same");
        assertNotEquals(constant.finalHash(), r.finalHash(), "the decayed steps moved θ elsewhere");
    }
}
