package onebyte.coordinator.bench;

import onebyte.proto.WorkloadSpec;
import static onebyte.coordinator.bench.BenchTable.put;

import java.time.Duration;
import java.util.Map;
import onebyte.coordinator.cluster.EmbeddedCluster;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.coordinator.fed.FederatedCluster;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.node.engine.Workloads;

/**
 * One measured point of the scaling table: an embedded cluster of N nodes (separate ActorSystems
 * over loopback Artery TCP) running warm-up + measured + 1 rounds of SPSA or FedSpeed with the
 * timed workload (and, for SPSA, the timed engine), memory sampled throughout.
 */
final class ClusterPoints {
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    private ClusterPoints() {}

    /** Runs SPSA on {@code base} (its workload is the inner spec) with N nodes and adds a row. */
    static Map<String, Object> spsa(BenchTable table, String model, SpsaRunSettings base, int nodes, int warmup, int measured,
                                    Footprint.Result fp, double latencyS) throws Exception {
        RoundWindow w = new RoundWindow(warmup, measured);
        WorkloadSpec spec = TimedWorkloadFactory.wrap(base.workload());
        SpsaRunSettings s = base.toBuilder().runId("bench-spsa-" + model + "-n" + nodes).nodes(nodes).rounds(RoundWindow.ROUND_CAP)
                .workload(spec).engine(TimedEngineFactory.ENGINE).evalEvery(Integer.MAX_VALUE).roundDeadline(DEADLINE)
                .churn(java.util.List.of()).build();
        Workloads.get(spec, s.runSeed()); // data and θ_0 are shared by every ActorSystem: built before the baseline
        MemoryProbe mem = MemoryProbe.start();
        w = measure(w, mem, s.runId(), win -> EmbeddedCluster.start(s, null, win));
        BenchProbe.Snapshot d = w.delta();
        int m = w.measured();
        int d0 = Workloads.get(spec, s.runSeed()).numParams();
        Map<String, Object> row = common(table, "spsa", model, nodes, d0, w, d, mem, fp);
        double forward = fp.forwardSeconds();
        double step = d.cpuPerCall(BenchProbe.Work.SAMPLE);
        double regen = d.cpuPerCall(BenchProbe.Work.APPLY);
        double samplesPerRound = (double) d.calls(BenchProbe.Work.SAMPLE) / m;
        int n = nodes * s.samplesPerNode();
        put(row, "work_cpu_s_per_round", (d.cpuSeconds(BenchProbe.Work.SAMPLE) + d.cpuSeconds(BenchProbe.Work.APPLY)) / m);
        put(row, "other_cpu_s_per_round", (d.processCpuSeconds() - d.cpuSeconds(BenchProbe.Work.SAMPLE)
                - d.cpuSeconds(BenchProbe.Work.APPLY)) / m);
        put(row, "forward_ms", forward * 1e3);
        put(row, "forwards_per_round", (double) d.calls(BenchProbe.Work.FORWARD) / m);
        put(row, "step_ms", step * 1e3);
        put(row, "perturb_ms", (step - 2 * forward) * 1e3);
        put(row, "step_over_forward", step / forward);
        put(row, "regen_ms", regen * 1e3);
        put(row, "regen_directions", n);
        put(row, "generate_once_ms", fp.generateOnceSeconds() * 1e3);
        put(row, "fused_efficiency", n * fp.generateOnceSeconds() / regen);
        double compute = step * samplesPerRound / nodes + regen;
        put(row, "node_compute_s_per_round", compute);
        put(row, "replica_mem_mb", fp.spsaBytes() / 1048576.0);
        put(row, "replica_mem_over_inference", fp.ratio());
        put(row, "replicas_agree", w.rows().stream().allMatch(r -> Boolean.TRUE.equals(r.replicasAgree())));
        virtualTimes(row, compute, w, latencyS);
        return row;
    }

    /** Runs FedSpeed on {@code base} (its workload is the inner spec) with N nodes and adds a row. */
    static Map<String, Object> fed(BenchTable table, String model, FedRunSettings base, int nodes, int warmup, int measured,
                                   Footprint.Result fp, double latencyS) throws Exception {
        RoundWindow w = new RoundWindow(warmup, measured);
        WorkloadSpec spec = TimedWorkloadFactory.wrap(base.workload());
        FedRunSettings s = new FedRunSettings("bench-" + base.algorithm() + "-" + model + "-n" + nodes, base.algorithm(),
                base.runSeed(), nodes, RoundWindow.ROUND_CAP, base.client(), base.participation(), DEADLINE, Integer.MAX_VALUE, spec,
                base.uplinkMbps(), base.downlinkMbps(), base.latencyMs(), base.workCosts());
        Workloads.get(spec, s.runSeed());
        MemoryProbe mem = MemoryProbe.start();
        w = measure(w, mem, s.runId(), win -> FederatedCluster.start(s, null, win, null, nodes, false));
        BenchProbe.Snapshot d = w.delta();
        int m = w.measured();
        int d0 = Workloads.get(spec, s.runSeed()).numParams();
        Map<String, Object> row = common(table, base.algorithm(), model, nodes, d0, w, d, mem, fp);
        double grad = d.cpuSeconds(BenchProbe.Work.GRADIENT);
        long participations = w.rows().stream().mapToLong(MetricsRow::contributed).sum();
        put(row, "work_cpu_s_per_round", grad / m);
        put(row, "other_cpu_s_per_round", (d.processCpuSeconds() - grad) / m);
        put(row, "gradient_ms", d.cpuPerCall(BenchProbe.Work.GRADIENT) * 1e3);
        put(row, "gradients_per_round", (double) d.calls(BenchProbe.Work.GRADIENT) / m);
        double compute = participations == 0 ? Double.NaN : grad / participations;
        put(row, "node_compute_s_per_round", compute);
        put(row, "replica_mem_mb", fp.fedspeed().total() / 1048576.0);
        put(row, "replica_mem_over_inference", fp.ratio(fp.fedspeed()));
        virtualTimes(row, compute, w, latencyS);
        return row;
    }

    /** Starts a cluster with a window as its listener. */
    interface Starter {
        AutoCloseable start(RoundWindow w) throws Exception;
    }

    /**
     * Runs clusters until one delivers its measured window (at most 3 attempts, see
     * {@link #awaitWindow}), sampling memory throughout; returns the window that was measured.
     */
    private static RoundWindow measure(RoundWindow first, MemoryProbe mem, String run, Starter starter) throws Exception {
        RoundWindow w = first;
        try {
            for (int attempt = 1; ; attempt++) {
                try (AutoCloseable cluster = starter.start(w)) {
                    if (awaitWindow(w, run, attempt)) {
                        return w;
                    }
                }
                w = w.fresh();
            }
        } finally {
            mem.close();
        }
    }

    /**
     * Waits for the measured window (true), or gives up when no node synced and no round closed
     * for {@link #STALL_SECONDS} (false; the caller retries the point, at most 3 attempts). Seen on
     * this machine: a node's ActorSystem whose guardian failed at admission under load (a race in
     * the embedded launchers' startNode), so round 0 waited for it for ever. The cluster is closed
     * by the caller as soon as the window is measured.
     */
    private static boolean awaitWindow(RoundWindow w, String run, int attempt) throws Exception {
        while (true) {
            try {
                w.done().get(1, java.util.concurrent.TimeUnit.SECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                if (w.secondsSinceProgress() > STALL_SECONDS) {
                    if (attempt >= 3) {
                        throw new IllegalStateException(run + ": no progress for " + STALL_SECONDS + " s in 3 attempts");
                    }
                    org.slf4j.LoggerFactory.getLogger(ClusterPoints.class).warn(
                            "bench: {} made no progress for {} s (attempt {}); starting it again", run, STALL_SECONDS, attempt);
                    return false;
                }
            }
        }
    }

    /** A point is restarted after this long without a sync or a closed round (the slowest round seen: ~15 s). */
    static final int STALL_SECONDS = 90;

    private static Map<String, Object> common(BenchTable table, String algorithm, String model, int nodes, int d,
                                              RoundWindow w, BenchProbe.Snapshot delta, MemoryProbe mem, Footprint.Result fp) {
        Map<String, Object> row = table.newRow();
        int m = w.measured();
        put(row, "algorithm", algorithm);
        put(row, "model", model);
        put(row, "nodes", nodes);
        put(row, "d", d);
        put(row, "rounds_measured", m);
        double wall = delta.elapsedSeconds() / m;
        put(row, "round_wall_s", wall);
        put(row, "rounds_per_s", 1 / wall);
        put(row, "process_cpu_s_per_round", delta.processCpuSeconds() / m);
        put(row, "cpu_utilisation", delta.processCpuSeconds() / delta.elapsedSeconds());
        put(row, "bytes_up_per_node", w.bytesUpPerNode());
        put(row, "bytes_down_per_node", w.bytesDownPerNode());
        double perNode = mem.peakRssAboveBase() / 1048576.0 / nodes;
        put(row, "peak_rss_per_node_mb", perNode);
        put(row, "peak_heap_per_node_mb", mem.peakHeapAboveBase() / 1048576.0 / nodes);
        put(row, "inference_mb", fp.inferenceBytes() / 1048576.0);
        put(row, "rss_per_node_over_inference", fp.inferenceBytes() < Footprint.RESOLUTION_BYTES ? Double.NaN
                : perNode * 1048576.0 / fp.inferenceBytes());
        return row;
    }

    private static void virtualTimes(Map<String, Object> row, double computeS, RoundWindow w, double latencyS) {
        for (int i = 0; i < BenchTable.RATES.length; i++) {
            put(row, BenchTable.RATE_COLUMNS[i], BenchTable.virtualRound(computeS, w.bytesUpPerNode(), w.bytesDownPerNode(),
                    BenchTable.RATES[i], latencyS));
        }
    }
}
