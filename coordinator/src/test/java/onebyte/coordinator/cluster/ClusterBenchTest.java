package onebyte.coordinator.cluster;

import onebyte.coordinator.experiment.ScenarioSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Cluster benchmark for BENCHMARKS.md (skipped unless {@code -Donebyte.bench=true}):
 * bytes on the wire per node per round (up and down) for S = 1 and S = 8, and the round
 * overhead (wall time of a round minus the slowest node's measured SPSA compute) at N = 4 and 16,
 * on the embedded cluster with the synthetic MLP workload.
 * <pre>mvn -B -o -pl coordinator -am test -Dtest=ClusterBenchTest -Dsurefire.failIfNoSpecifiedTests=false -Donebyte.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "onebyte.bench", matches = "true")
class ClusterBenchTest {
    record Result(int nodes, int samples, double upPerNode, double downPerNode, double wall, double compute, double overheadMedian,
                  double overheadP90) {}

    static Result run(int nodes, int samples, int rounds) throws Exception {
        List<double[]> times = new ArrayList<>();
        List<MetricsRow> rows = new ArrayList<>();
        RunListener l = new RunListener() {
            @Override
            public void roundClosed(MetricsRow row, RoundReport rep) {
                if (row.round() >= 10) { // after warm-up (JIT, compression tables)
                    times.add(new double[] {rep.wallSeconds(), rep.slowestComputeSeconds()});
                    rows.add(row);
                }
            }
        };
        SpsaRunSettings s = ScenarioSettings.spsaDefaults().workload(EmbeddedClusterTest.SYNTHETIC).engine("core").nodes(nodes)
                .samplesPerNode(samples).rounds(rounds).lr(0.02).evalEvery(1_000_000).build();
        RunResult r = EmbeddedCluster.run(s, null, l, Duration.ofMinutes(10));
        rows.forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree()));
        double[] overhead = times.stream().mapToDouble(t -> t[0] - t[1]).sorted().toArray();
        return new Result(nodes, samples,
                rows.stream().mapToLong(MetricsRow::bytesUp).average().orElseThrow() / nodes,
                rows.stream().mapToLong(MetricsRow::bytesDown).average().orElseThrow() / nodes,
                times.stream().mapToDouble(t -> t[0]).average().orElseThrow(),
                times.stream().mapToDouble(t -> t[1]).average().orElseThrow(),
                overhead[overhead.length / 2], overhead[(int) (overhead.length * 0.9)]);
    }

    @Test
    void bytesAndRoundOverhead() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int[] c : new int[][] {{4, 1}, {4, 8}, {16, 1}}) {
            results.add(run(c[0], c[1], 110));
        }
        System.out.println("| N | S | up B/node/round | down B/node/round | wall s/round | slowest compute s | overhead median s | overhead p90 s |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Result r : results) {
            System.out.println(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.4f | %.4f | %.4f | %.4f |", r.nodes(), r.samples(),
                    r.upPerNode(), r.downPerNode(), r.wall(), r.compute(), r.overheadMedian(), r.overheadP90()));
        }
        // S = 1: one Contribution per node and round: 14 B payload (15 B from round 128 on) + 32 B envelope
        assertTrue(results.get(0).upPerNode() >= 46 && results.get(0).upPerNode() <= 47, Arrays.toString(results.toArray()));
        // S = 8: sample 0 carries the hash, samples 1..7 about 12 B each; all under 16 B of payload per contribution
        assertTrue((results.get(1).upPerNode() - 8 * 32) / 8 < 16, Arrays.toString(results.toArray()));
    }
}
