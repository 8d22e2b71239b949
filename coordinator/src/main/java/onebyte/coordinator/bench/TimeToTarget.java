package onebyte.coordinator.bench;

import onebyte.proto.WorkloadSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.cluster.EmbeddedCluster;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.coordinator.fed.FederatedCluster;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;

/**
 * Time to a target accuracy in virtual time, recomputed at several link rates from measured
 * quantities: SPSA and FedSpeed each run on a scenario's task (no churn) on the embedded cluster,
 * evaluating every E rounds. The target is given, or the lower of the two algorithms' best
 * accuracies (so both reach it). For round r up to the first evaluation at or above the target:
 *
 * <pre>t(rate) = Σ_r [ c + (up_r + down_r) / members_r · 8 / rate + latency ]</pre>
 *
 * where up_r, down_r are the round's wire bytes from the coordinator's counters (metrics row) and
 * c is one node's measured CPU seconds per round of the algorithm's work in the same run (SPSA:
 * S samples + applying one commit; FedSpeed: its gradient passes). Links are symmetric at the rate.
 */
final class TimeToTarget {
    private TimeToTarget() {}

    /** What one algorithm's accuracy run produced. */
    record Curve(String algorithm, int d, List<MetricsRow> rows, double nodeComputeS, double wallS) {
        double best() {
            return rows.stream().mapToDouble(MetricsRow::evalAccuracy).filter(Double::isFinite).max().orElse(Double.NaN);
        }
    }

    static Curve spsa(Scenario s, ChurnSchedule schedule, long rounds) throws Exception {
        SpsaRunSettings base = ScenarioSettings.spsa(s, "spsa", schedule, null, zeroCosts());
        SpsaRunSettings run = base.toBuilder().runId("bench-ttt-spsa").rounds(rounds)
                .workload(TimedWorkloadFactory.wrap(base.workload())).engine(TimedEngineFactory.ENGINE)
                .roundDeadline(Duration.ofMinutes(2)).build();
        BenchProbe.Snapshot a = BenchProbe.snapshot();
        var result = EmbeddedCluster.run(run, null, null, Duration.ofMinutes(30));
        BenchProbe.Snapshot d = BenchProbe.snapshot().minus(a);
        double c = d.cpuPerCall(BenchProbe.Work.SAMPLE) * run.samplesPerNode() + d.cpuPerCall(BenchProbe.Work.APPLY);
        return new Curve("spsa", numParams(run.workload(), run.runSeed()), result.rows(), c, d.elapsedSeconds());
    }

    static Curve fed(Scenario s, ChurnSchedule schedule, String algorithm, long rounds) throws Exception {
        FedRunSettings b = ScenarioSettings.fed(s, algorithm, schedule, null, zeroCosts());
        FedRunSettings run = new FedRunSettings("bench-ttt-" + algorithm, algorithm, b.runSeed(), b.nodes(), rounds, b.client(),
                b.participation(), Duration.ofMinutes(2), b.evalEvery(), TimedWorkloadFactory.wrap(b.workload()), b.uplinkMbps(),
                b.downlinkMbps(), b.latencyMs(), b.workCosts());
        BenchProbe.Snapshot a = BenchProbe.snapshot();
        var result = FederatedCluster.run(run, null, null, null, Duration.ofMinutes(30));
        BenchProbe.Snapshot d = BenchProbe.snapshot().minus(a);
        long participations = result.rows().stream().mapToLong(MetricsRow::contributed).sum();
        return new Curve(algorithm, numParams(run.workload(), run.runSeed()), result.rows(),
                d.cpuSeconds(BenchProbe.Work.GRADIENT) / participations, d.elapsedSeconds());
    }

    /** The rows' virtual time is not used here (it is recomputed), so the runs' own clock gets zero costs. */
    private static VirtualClock.WorkCosts zeroCosts() {
        return new VirtualClock.WorkCosts(0, 0, 0);
    }

    private static int numParams(WorkloadSpec spec, long seed) {
        return onebyte.node.engine.Workloads.get(spec, seed).numParams();
    }

    /** The lower of the curves' best accuracies. */
    static double commonTarget(List<Curve> curves) {
        return curves.stream().mapToDouble(Curve::best).min().orElse(Double.NaN);
    }

    /** One result row per curve: rounds, bytes and virtual seconds to the target at each rate. */
    static List<Map<String, Object>> rows(List<Curve> curves, double target, int nodes, double latencyS) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Curve c : curves) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("algorithm", c.algorithm());
            row.put("nodes", nodes);
            row.put("d", c.d());
            row.put("rounds_run", c.rows().size());
            row.put("best_accuracy", c.best());
            row.put("target_accuracy", target);
            row.put("node_compute_s_per_round", c.nodeComputeS());
            row.put("wall_s", c.wallS());
            int hit = -1;
            for (int i = 0; i < c.rows().size(); i++) {
                if (c.rows().get(i).evalAccuracy() >= target) {
                    hit = i;
                    break;
                }
            }
            row.put("rounds_to_target", hit < 0 ? null : c.rows().get(hit).round() + 1);
            double bytes = 0;
            double[] t = new double[BenchTable.RATES.length];
            for (int i = 0; i <= hit; i++) {
                MetricsRow r = c.rows().get(i);
                double up = (double) r.bytesUp() / Math.max(1, r.members());
                double down = (double) r.bytesDown() / Math.max(1, r.members());
                bytes += up + down;
                for (int k = 0; k < t.length; k++) {
                    t[k] += BenchTable.virtualRound(c.nodeComputeS(), up, down, BenchTable.RATES[k], latencyS);
                }
            }
            row.put("bytes_per_node_to_target", hit < 0 ? null : bytes);
            String[] names = {"ttt_s_1mbps", "ttt_s_10mbps", "ttt_s_1gbps"};
            for (int k = 0; k < t.length; k++) {
                row.put(names[k], hit < 0 ? null : t[k]);
            }
            out.add(row);
        }
        return out;
    }

    /** Column meanings of the time-to-target rows. */
    static final Map<String, String> COLUMNS = Map.ofEntries(
            Map.entry("rounds_to_target", "rounds up to and including the first evaluation at or above the target"),
            Map.entry("bytes_per_node_to_target", "wire bytes (up + down) per node until then"),
            Map.entry("ttt_s_1mbps", "virtual seconds to the target at 1 Mbit/s links"),
            Map.entry("ttt_s_10mbps", "the same at 10 Mbit/s"),
            Map.entry("ttt_s_1gbps", "the same at 1 Gbit/s"));

}
