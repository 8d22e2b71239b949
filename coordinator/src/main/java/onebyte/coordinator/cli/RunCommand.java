package onebyte.coordinator.cli;

import onebyte.core.algorithm.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.cluster.ChurnDriver;
import onebyte.coordinator.cluster.EmbeddedCluster;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.resume.StateWriter;
import onebyte.coordinator.cluster.RunInterrupt;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.console.RunProgress;
import onebyte.coordinator.resume.ReplayCheck;
import onebyte.coordinator.resume.ResumePlan;
import onebyte.coordinator.resume.RunLog;
import onebyte.coordinator.resume.RunLogWriter;
import onebyte.proto.RunLogHeader;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.fed.FedRunSettings;
import onebyte.coordinator.fed.FederatedCluster;
import onebyte.coordinator.experiment.ScenarioCheckpoint;
import onebyte.coordinator.experiment.ShardPlan;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.coordinator.metrics.RelabelledSink;
import onebyte.coordinator.metrics.RunSummary;
import onebyte.coordinator.report.RunReport;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte run SCENARIO}: validates the scenario, pretrains (or loads) the starting
 * checkpoint, runs each listed algorithm (spsa, spsa-f32, fedspeed, fedavg) on its own embedded
 * cluster (coordinator and nodes as separate ActorSystems in this JVM over loopback Artery TCP)
 * with the same churn schedule, and writes metrics, summary, plots and the report into a fresh
 * run directory. {@link CompareCommand} is the same run ending in the comparison table.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a scenario on an embedded cluster and write its metrics, summary and report.",
        footer = "Exit codes: 0 ok, 2 bad input, 3 SPSA replicas disagreed, 130 / 143 stopped by Ctrl-C (SIGINT) / SIGTERM:"
                + " the round in progress completes, then summary.json (stoppedBy = interrupted), plots and report.html"
                + " are written; a second signal stops at once.")
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (scenarios/*.conf).")
    Path scenarioFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key, e.g. --set spsa.lr=5e-4 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @picocli.CommandLine.Mixin
    ConsoleOptions console = new ConsoleOptions();

    @Override
    public Integer call() throws Exception {
        console.apply();
        return runScenario(scenarioFile, overrides, false);
    }

    /**
     * Validates the scenario, prepares the checkpoint, runs every listed algorithm with the same
     * seed, checkpoint, partition and churn schedule (each through its own {@link ChurnDriver} on
     * the common virtual clock), writes the run directory and prints the summary table, or with
     * {@code compare} the comparison table and the SPSA-vs-FedSpeed answer. Exit codes: 0 ok,
     * 2 invalid scenario, 3 SPSA replicas disagreed, 130 / 143 stopped by SIGINT / SIGTERM
     * ({@link RunInterrupt}: the round in progress completes, summary and report are written).
     */
    static int runScenario(Path scenarioFile, List<String> overrides, boolean compare) throws Exception {
        Scenario loaded = new ScenarioLoader().load(scenarioFile, overrides); // bad input: BadInputHandler, exit 2
        ChurnSchedule schedule = ChurnSchedule.resolve(loaded);
        ScenarioCheckpoint.validate(loaded);
        ShardPlan.validate(loaded, schedule);
        return execute(loaded, schedule, compare).exitCode();
    }

    /**
     * What one scenario run left: its directory, its summary (null when it was interrupted before
     * its first round), whether every SPSA row's replicas agreed, and whether a signal stopped it.
     */
    record Outcome(Path dir, RunSummary summary, boolean agreed, boolean interrupted, String resumeMismatch) {
        int exitCode() {
            return resumeMismatch != null ? ResumeCommand.EXIT_MISMATCH : interrupted ? RunInterrupt.exitCode() : agreed ? 0 : 3;
        }
    }

    /** Runs a validated scenario (see {@link #runScenario}) and prints its summary or comparison table. */
    static Outcome execute(Scenario loaded, ChurnSchedule schedule, boolean compare) throws Exception {
        System.setProperty("java.awt.headless", "true");
        try (RunDirectory dir = RunDirectory.create(loaded)) {
            System.out.println("run directory: " + dir.path().toAbsolutePath());
            if (loaded.data().fromFiles()) {
                String data = "data: " + ScenarioSettings.fileTask(loaded).description();
                System.out.println(data);
                LOG.info(data);
                java.nio.file.Files.writeString(dir.path().resolve(DATA), data + "\n");
            }
            if (!schedule.events().isEmpty()) {
                System.out.println("churn: " + schedule.events());
            }
            Path checkpoint = ScenarioCheckpoint.prepare(loaded, dir.path(), System.out::println);
            Scenario.Clock clock = ScenarioSettings.clock(loaded, checkpoint);
            Scenario s = clock.measured() ? loaded.withClock(clock) : loaded;
            if (clock.measured()) {
                dir.recordMeasuredClock(s);
                System.out.println("virtual clock (every algorithm), measured on this machine: " + clock.describe());
                System.out.println("  rerun with exactly these costs: " + clock.fixedOverrides());
            } else {
                System.out.println("virtual clock (every algorithm), the scenario's fixed costs: " + clock.describe());
            }
            return runAll(dir, s, schedule, checkpoint, clock.costs(), compare, null);
        }
    }

    /**
     * Runs the scenario's algorithms in order into {@code dir} (metrics rows, one commit log per
     * algorithm) and renders its summary and report; with {@code resume}, the algorithms that
     * had reached their budget are skipped and the stopped one is re-run, checked against its
     * record, and goes on (see {@link ResumeCommand}).
     */
    static Outcome runAll(RunDirectory dir, Scenario s, ChurnSchedule schedule, Path checkpoint, VirtualClock.WorkCosts costs,
                          boolean compare, ResumePlan resume) throws Exception {
        boolean agreed = true;
        boolean interrupted = false;
        long rowsWritten = 0;
        Map<String, Double> wall = new LinkedHashMap<>();
        try (MetricsSink files = MetricsFiles.open(dir.path())) {
            for (Algorithm algorithm : s.run().algorithms()) {
                if (resume != null && resume.done(algorithm)) {
                    continue;
                }
                boolean resumed = resume != null && resume.algorithm().equals(algorithm);
                ReplayCheck check = resumed ? resume.check() : null;
                RestorePoint restore = resumed ? resume.restorePoint() : null;
                long t0 = System.nanoTime();
                RunResult r;
                ChurnDriver churn = new ChurnDriver(schedule);
                try (RunLogWriter commits = resumed && resume.hasLog()
                        ? RunLogWriter.append(dir.path(), algorithm.id(), resume.rounds())
                        : RunLogWriter.create(dir.path(), logHeader(dir, s, algorithm, checkpoint))) {
                    // after the commit log: a saved state's round always has its record on disk
                    RunListener saved = RunListener.all(commits, new StateWriter(dir.path(), OnebyteCommand.VERSION,
                            s.run().checkpointEvery(), churn, restore == null ? 0 : restore.round()));
                    r = runAlgorithm(s, algorithm, churn, checkpoint, costs,
                            new RelabelledSink(check == null ? files : check.wrap(files), dir.runId(), algorithm.id()),
                            check == null ? saved : RunListener.all(check, saved), restore);
                }
                if (check != null && check.mismatch() != null) {
                    return new Outcome(dir.path(), null, false, true, check.mismatch());
                }
                wall.put(algorithm.id(), (System.nanoTime() - t0) / 1e9);
                agreed &= r.rows().stream().noneMatch(row -> Boolean.FALSE.equals(row.replicasAgree()));
                rowsWritten += r.rows().size();
                if (r.stoppedBy() == RunBudget.Stop.INTERRUPTED) {
                    interrupted = true;
                    dir.recordInterrupt(algorithm.id(), RunInterrupt.signal(), r.rows().size());
                    System.out.println("interrupted (" + RunInterrupt.signal() + "): " + algorithm + " stopped after "
                            + r.rows().size() + " completed rounds" + (algorithm.equals(s.run().algorithms().get(s.run().algorithms().size() - 1))
                            ? "" : "; the algorithms after it did not run"));
                    break;
                }
            }
        }
        if (rowsWritten == 0 && MetricsFiles.readCsv(dir.path().resolve(MetricsFiles.CSV)).isEmpty()) {
            System.out.println("interrupted (" + RunInterrupt.signal() + ") before the first round: no rows, no report");
            return new Outcome(dir.path(), null, agreed, true, null);
        }
        Double target = s.eval().targetAccuracy() > 0 ? s.eval().targetAccuracy() : null;
        RunSummary summary = RunReport.render(dir.path(), target);
        System.out.println();
        if (compare) {
            String table = summary.comparisonTable();
            System.out.print(table);
            wall.forEach((a, w) -> System.out.printf(java.util.Locale.ROOT, "wall time %s: %.1f s (incl. cluster start and stop)%n", a, w));
            Files.writeString(dir.path().resolve(COMPARISON), table);
        } else {
            System.out.print(summary.table());
        }
        System.out.println("metrics: " + dir.path().resolve(MetricsFiles.CSV).toAbsolutePath());
        System.out.println("report:  " + dir.path().resolve(RunReport.HTML).toAbsolutePath());
        return new Outcome(dir.path(), summary, agreed, interrupted, null);
    }

    /** The header of an algorithm's commit log in {@code dir}; {@code checkpoint} null: the workload's own θ_0. */
    static RunLogHeader logHeader(RunDirectory dir, Scenario s, Algorithm algorithm, Path checkpoint) {
        return RunLogHeader.newBuilder().setFormatVersion(RunLog.FORMAT_VERSION).setOnebyteVersion(OnebyteCommand.VERSION)
                .setWireVersion(onebyte.node.wire.Wire.VERSION).setAlgorithm(algorithm.id()).setRunId(dir.runId())
                .setRunSeed(s.run().seed()).setCheckpoint(checkpoint == null ? "" : checkpoint.toAbsolutePath().toString()).build();
    }

    /** "200 rounds" or "up to 200 rounds, 2.5 s virtual, 1000000 bytes": when a run stops. */
    static String budget(RunBudget b) {
        String more = (b.virtualSeconds() > 0 ? ", " + b.virtualSeconds() + " s virtual" : "")
                + (b.bytes() > 0 ? ", " + b.bytes() + " bytes on the wire" : "");
        return more.isEmpty() ? b.rounds() + " rounds" : "up to " + b.rounds() + " rounds" + more + " (whichever first)";
    }

    /** The data a run read from the user's files (files, splits, label → class mapping), in the run directory. */
    public static final String DATA = onebyte.coordinator.experiment.RunDirectory.DATA;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunCommand.class);

    /** The comparison table as printed, in the run directory. */
    public static final String COMPARISON = "comparison.txt";

    /**
     * One algorithm of a scenario on its own embedded cluster, with the scenario's churn (a fresh
     * driver of its schedule); from {@code restore} when it is not null (a resumed run).
     */
    static RunResult runAlgorithm(Scenario s, Algorithm algorithm, ChurnDriver churn, Path checkpoint,
                                  VirtualClock.WorkCosts costs, MetricsSink sink, RunListener extra, RestorePoint restore)
            throws Exception {
        ChurnSchedule schedule = churn.schedule();
        if (algorithm.isSpsa()) {
            SpsaRunSettings settings = ScenarioSettings.spsa(s, algorithm, schedule, checkpoint, costs);
            System.out.println("== " + algorithm + ": " + settings.nodes() + " nodes, " + budget(settings.budget()) + ", codec "
                    + settings.codec());
            RunListener progress = withExtra(RunProgress.forAlgorithm(algorithm.id(), settings.rounds(), System.out), extra);
            Duration timeout = settings.roundDeadline().multipliedBy(settings.rounds() + 10).plusMinutes(2);
            try (EmbeddedCluster ec = restore == null ? EmbeddedCluster.start(settings, sink, progress, churn)
                    : EmbeddedCluster.restore(settings, sink, progress, churn, restore)) {
                return ec.await(timeout);
            }
        }
        FedRunSettings settings = ScenarioSettings.fed(s, algorithm, schedule, checkpoint, costs);
        System.out.println("== " + algorithm + ": " + settings.nodes() + " nodes, " + budget(settings.budget()) + ", K "
                + settings.client().localSteps() + ", participation " + settings.participation());
        RunListener progress = withExtra(RunProgress.forAlgorithm(algorithm.id(), settings.rounds(), System.out), extra);
        Duration timeout = settings.roundDeadline().multipliedBy(settings.rounds() + 10).plusMinutes(2);
        return restore == null ? FederatedCluster.run(settings, sink, progress, churn, timeout)
                : FederatedCluster.resume(settings, sink, progress, churn, restore, timeout);
    }

    private static RunListener withExtra(RunListener progress, RunListener extra) {
        return extra == null ? progress : RunListener.all(progress, extra);
    }
}
