package onebyte.coordinator.bench;

import onebyte.core.algorithm.Algorithm;
import onebyte.proto.WorkloadSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.fed.FedSpeedParams;
import onebyte.core.model.Models;
import onebyte.node.engine.Workloads;

/**
 * Runs a {@link BenchPlan}: replica footprints per model size, the SPSA and FedSpeed scaling
 * points, the quickstart rounds-per-second point, the time-to-target runs, and the goals.
 */
public final class Bench {
    private final BenchPlan plan;
    private final PrintStream log;
    private final BenchTable table = new BenchTable();
    private final List<Map<String, Object>> footprints = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private List<Map<String, Object>> timeToTarget = List.of();

    public Bench(BenchPlan plan, PrintStream log) {
        this.plan = plan;
        this.log = log;
    }

    /** Measures everything; returns the result document (written by {@link BenchOutput}). */
    public Map<String, Object> run() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Models.limitNativeThreads(1); // ND4J work runs on the calling thread, so thread CPU time sees it
        fastTeardown();
        Map<String, Object> machine = BenchOutput.machine();
        long t0 = System.nanoTime();
        int maxN = plan.nodes().stream().mapToInt(Integer::intValue).max().orElseThrow();
        SpsaRunSettings spsaBase = ScenarioSettings.spsaDefaults().runSeed(plan.seed()).lr(1e-3).build();
        List<ScenarioModel> scenarioModels = new ArrayList<>();
        for (java.nio.file.Path file : plan.parts().contains("scaling") ? plan.modelsOf() : List.<java.nio.file.Path>of()) {
            scenarioModels.add(ScenarioModel.load(file, maxN, plan.seed())); // every file checked before the first point runs
        }
        for (int target : plan.parts().contains("scaling") ? plan.params() : List.<Integer>of()) {
            String model = "mlp-" + BenchPlan.label(target);
            WorkloadSpec spec = BenchPlan.workloadFor(target);
            Footprint.Result fp = footprint(model, spec, maxN, spsaBase);
            for (int n : plan.nodes()) {
                if (plan.spsa()) {
                    spsaPoints(model, spsaBase.toBuilder().workload(spec).build(), n, fp);
                }
                if (plan.fed()) {
                    fedPoint(model, spec, n, fp);
                }
            }
        }
        for (ScenarioModel sm : scenarioModels) {
            Footprint.Result fp = footprint(sm.label(), sm.settings(maxN).workload(), maxN, sm.settings(maxN));
            for (int n : plan.nodes()) {
                if (plan.spsa()) {
                    spsaPoints(sm.label(), sm.settings(n), n, fp);
                }
                if (plan.fed()) {
                    fedPoint(sm.label(), sm.settings(n).workload(), n, fp);
                }
            }
        }
        quickstartAndTimeToTarget();
        Map<String, Object> doc = new LinkedHashMap<>();
        machine.put("load_average_after", BenchOutput.loadAverage());
        machine.put("bench_seconds", (System.nanoTime() - t0) / 1e9);
        doc.put("machine", machine);
        doc.put("plan", plan.toString());
        doc.put("columns", BenchTable.COLUMNS);
        doc.put("scaling", table.rows());
        doc.put("skipped", skipped);
        doc.put("footprints", footprints);
        doc.put("time_to_target_columns", TimeToTarget.COLUMNS);
        doc.put("time_to_target", timeToTarget);
        doc.put("goals", Goals.evaluate(table.rows(), footprints));
        return doc;
    }

    /**
     * After a run the coordinator's ActorSystem leaves a cluster whose nodes are already gone, and
     * its coordinated shutdown waits out the cluster-exiting phase (10 s by default) every time.
     * The bench starts ~30 clusters, so it shortens that phase for this JVM (set before any
     * ActorSystem reads its config). Rounds are not affected: this only runs at teardown.
     */
    private static void fastTeardown() {
        if (System.getProperty(EXITING_TIMEOUT) == null) {
            System.setProperty(EXITING_TIMEOUT, "1s");
            com.typesafe.config.ConfigFactory.invalidateCaches();
        }
    }

    private static final String EXITING_TIMEOUT = "akka.coordinated-shutdown.phases.cluster-exiting.timeout";

    /** One FedSpeed point (K = the plan's local steps, the scenario defaults otherwise), unless N·d is above the plan's limit. */
    private void fedPoint(String model, WorkloadSpec spec, int n, Footprint.Result fp) throws Exception {
        int d = fp.d(); // measured with the footprint: the workload (for MiniLM its ONNX file) is not built again
        if (plan.fedMaxNd() > 0 && (long) n * d > plan.fedMaxNd()) {
            skipped.add(String.format(java.util.Locale.ROOT,
                    "fedspeed %s N=%d: N·d = %d > --fed-max-nd %d", model, n, (long) n * d, plan.fedMaxNd()));
            return;
        }
        log.printf("fedspeed %s N=%d ...%n", model, n);
        FedSpeedParams client = ScenarioSettings.fedClient(ScenarioSettings.DEFAULTS, Algorithm.FEDSPEED);
        client = new FedSpeedParams(plan.fedLocalSteps(), client.lr(), client.lrDecay(), client.invLambda(),
                client.rho(), client.alpha(), client.batchSize(), true);
        FedRunSettings fed = new FedRunSettings("bench", Algorithm.FEDSPEED, plan.seed(), n, 3, client, 1.0,
                java.time.Duration.ofMinutes(10), 1, spec, 10, 10, plan.latencyMs(),
                new onebyte.coordinator.clock.VirtualClock.WorkCosts(0, 0, 0));
        ClusterPoints.fed(table, model, fed, n, plan.fedWarmup(), plan.fedMeasured(), fp, plan.latencyMs() / 1000);
    }

    /** One SPSA point per sharing value; with both, the on row gets off's round time over its own. */
    private void spsaPoints(String model, SpsaRunSettings base, int n, Footprint.Result fp) throws Exception {
        Map<Boolean, Map<String, Object>> rows = new LinkedHashMap<>();
        for (boolean shared : plan.sharing()) {
            log.printf("spsa %s N=%d shared regeneration %s ...%n", model, n, shared ? "on" : "off");
            rows.put(shared, ClusterPoints.spsa(table, model, base.toBuilder().sharedRegeneration(shared).build(), n,
                    plan.warmup(), plan.measured(), fp, plan.latencyMs() / 1000));
        }
        if (rows.size() == 2) {
            BenchTable.put(rows.get(true), "speedup_vs_unshared",
                    ((Number) rows.get(false).get("round_wall_s")).doubleValue()
                            / ((Number) rows.get(true).get("round_wall_s")).doubleValue());
        }
    }

    private Footprint.Result footprint(String model, WorkloadSpec spec, int commitSize, SpsaRunSettings s) throws Exception {
        Footprint.Result fp = Footprint.measure(spec, Workloads.get(spec, plan.seed()), plan.seed(), s.batchSize(), commitSize,
                s.distribution(), s.chunkSize(), s.codec(), s.eps(), s.threads());
        int d = fp.d();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("d", d);
        r.put("parameters_mb", 4.0 * d / 1048576.0);
        r.put("inference_mb", fp.inferenceBytes() / 1048576.0);
        r.put("inference_offheap_peak_mb", fp.inference().offHeapPeak() / 1048576.0);
        r.put("inference_heap_mb", fp.inference().heapRetained() / 1048576.0);
        r.put("spsa_replica_mb", fp.spsaBytes() / 1048576.0);
        r.put("spsa_offheap_peak_mb", fp.spsa().offHeapPeak() / 1048576.0);
        r.put("spsa_heap_mb", fp.spsa().heapRetained() / 1048576.0);
        r.put("spsa_over_inference", Double.isNaN(fp.ratio()) ? null : fp.ratio()); // null: below the resolution
        r.put("fedspeed_replica_mb", fp.fedspeed().total() / 1048576.0);
        r.put("fedspeed_over_inference", Double.isNaN(fp.ratio(fp.fedspeed())) ? null : fp.ratio(fp.fedspeed()));
        r.put("commit_size", commitSize);
        r.put("generate_once_ms", fp.generateOnceSeconds() * 1e3);
        r.put("forward_ms", fp.forwardSeconds() * 1e3);
        footprints.add(r);
        log.printf("footprint %s d=%d: inference %.1f MiB, SPSA replica %.1f MiB (ratio %.2f); one direction %.2f ms%n", model, d,
                fp.inferenceBytes() / 1048576.0, fp.spsaBytes() / 1048576.0, fp.ratio(), fp.generateOnceSeconds() * 1e3);
        return fp;
    }

    private void quickstartAndTimeToTarget() throws Exception {
        if (plan.parts().contains("quickstart")) {
            quickstart();
        }
        if (plan.parts().contains("ttt")) {
            timeToTarget();
        }
    }

    private void quickstart() throws Exception {
        Scenario s = new ScenarioLoader().load(plan.scenario(), List.of("churn.events=[]", "nodes.initial=" + plan.quickstartNodes(),
                "run.seed=" + plan.seed()));
        ChurnSchedule schedule = ChurnSchedule.resolve(s);
        SpsaRunSettings base = ScenarioSettings.spsa(s, Algorithm.SPSA, schedule, null, null);
        Footprint.Result fp = footprint("quickstart", base.workload(), plan.quickstartNodes(), base);
        log.printf("spsa quickstart N=%d ...%n", plan.quickstartNodes());
        ClusterPoints.spsa(table, "quickstart", base, plan.quickstartNodes(), plan.warmup(), plan.quickstartMeasured(), fp,
                plan.latencyMs() / 1000);
    }

    private void timeToTarget() throws Exception {
        List<String> overrides = new ArrayList<>(List.of("churn.events=[]", "nodes.initial=" + plan.tttNodes(),
                "run.seed=" + plan.seed(), "eval.every=" + plan.tttEvalEvery()));
        overrides.addAll(plan.tttOverrides());
        Scenario t = new ScenarioLoader().load(plan.scenario(), overrides);
        ChurnSchedule ts = ChurnSchedule.resolve(t);
        List<TimeToTarget.Curve> curves = new ArrayList<>();
        log.printf("time to target: spsa, %d nodes, %d rounds ...%n", plan.tttNodes(), plan.tttSpsaRounds());
        curves.add(TimeToTarget.spsa(t, ts, plan.tttSpsaRounds()));
        if (plan.fed()) {
            log.printf("time to target: fedspeed, %d nodes, %d rounds ...%n", plan.tttNodes(), plan.tttFedRounds());
            curves.add(TimeToTarget.fed(t, ts, Algorithm.FEDSPEED, plan.tttFedRounds()));
        }
        double target = plan.target() != null ? plan.target() : TimeToTarget.commonTarget(curves);
        timeToTarget = TimeToTarget.rows(curves, target, plan.tttNodes(), plan.latencyMs() / 1000);
    }
}
