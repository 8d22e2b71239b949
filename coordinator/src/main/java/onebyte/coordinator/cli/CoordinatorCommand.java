package onebyte.coordinator.cli;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.cluster.Coordinator;
import onebyte.coordinator.console.ProgressLines;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code onebyte coordinator}: the first seed node and round sequencer of a multi-process run.
 * Waits for {@code --nodes} nodes, runs the rounds, tells the nodes the run is over and exits
 * (0 when every round's replicas agreed, 3 when some disagreed, 4 when more than half of the
 * rounds closed without any contribution, i.e. the run trained on almost nothing; 130 / 143 when
 * Ctrl-C / SIGTERM stopped it after the round in progress, with its summary and report). Churn flags are ignored here: in a
 * multi-process run, nodes join, leave and crash by themselves.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, description = "Run the coordinator of a multi-process cluster.",
        footer = "Exit codes: 0 ok, 2 bad input (with --resume: not a run directory of coordinator --scenario, a finished"
                + " run, a run directory of another onebyte version, a damaged commit log: one line naming the last good round),"
                + " 3 replicas disagreed, 4 most rounds had no contribution, 130 / 143 stopped by"
                + " Ctrl-C (SIGINT) / SIGTERM after the round in progress (summary and report written; the nodes are told the run is over).")
public final class CoordinatorCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Mixin
    NetOptions net;
    @Mixin
    TlsOptions tls;

    @picocli.CommandLine.Option(names = "--scenario", paramLabel = "FILE", defaultValue = "${env:ONEBYTE_SCENARIO:-}",
            description = "Take the run's settings from a scenario file (env ONEBYTE_SCENARIO; its first SPSA algorithm; "
                    + "its churn is ignored: in a multi-process run nodes join, leave and crash by themselves). "
                    + "Metrics, summary and report go to a run directory under the scenario's run.output-dir "
                    + "unless --out is given.")
    java.nio.file.Path scenario;

    @picocli.CommandLine.Option(names = "--round-pace", paramLabel = "DURATION", defaultValue = "0s",
            description = "Open each round no sooner than this much wall time after the previous one began, e.g. 500ms "
                    + "(default 0: as fast as the nodes go). For runs churned by hand, e.g. with docker kill; "
                    + "only wall_time_s changes.")
    String roundPace;

    @picocli.CommandLine.Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key (repeatable).")
    List<String> overrides = new java.util.ArrayList<>();

    @picocli.CommandLine.Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Go on with the stopped run (kill -9, a lost machine, Ctrl-C) of a coordinator --scenario in RUN_DIR:"
                    + " its scenario, address (unless --port is given) and files are the run directory's; it goes on right"
                    + " after the last round its commit log records (its θ rebuilt from the newest saved state and the logged"
                    + " commits after it, each checked by its logged hash; no recorded round runs again), rows appended. The"
                    + " node processes that outlived the old coordinator come back under their node ids (by replay when their"
                    + " replica is the coordinator's θ of its round, else by snapshot); see --rejoin-wait. A run given --out"
                    + " (no run directory) cannot be resumed.")
    java.nio.file.Path resume;

    @picocli.CommandLine.Option(names = "--rejoin-wait", paramLabel = "DURATION", defaultValue = "${env:ONEBYTE_REJOIN_WAIT:-60s}",
            description = "With --resume: how long to wait for the run's live members to come back before going on with those"
                    + " that did (the others are counted as crashed; env ONEBYTE_REJOIN_WAIT; default ${DEFAULT-VALUE}).")
    String rejoinWait;

    /** The scenario's first SPSA algorithm, or null. */
    private static onebyte.core.algorithm.Algorithm spsaOf(onebyte.coordinator.scenario.Scenario sc) {
        return sc.run().algorithms().stream().filter(onebyte.core.algorithm.Algorithm::isSpsa).findFirst().orElse(null);
    }

    /**
     * The settings of a multi-process run of {@code sc} (checked), or null when it lists no SPSA
     * algorithm (said on stderr). Fixed clock costs as in embedded runs; with clock.costs = measured,
     * each node's own measured seconds; the churn is the nodes' own.
     */
    private static SpsaRunSettings settings(onebyte.coordinator.scenario.Scenario sc) {
        onebyte.coordinator.scenario.ChurnSchedule schedule = onebyte.coordinator.scenario.ChurnSchedule.resolve(sc);
        onebyte.coordinator.experiment.ScenarioCheckpoint.validate(sc);
        onebyte.coordinator.experiment.ShardPlan.validate(sc, schedule);
        onebyte.core.algorithm.Algorithm algorithm = spsaOf(sc);
        if (algorithm == null) {
            System.err.println("onebyte: the multi-process coordinator runs SPSA; " + sc.file() + " lists " + sc.run().algorithms());
            return null;
        }
        onebyte.coordinator.clock.VirtualClock.WorkCosts costs = sc.clock().measured() ? null : sc.clock().costs();
        return onebyte.coordinator.experiment.ScenarioSettings.spsa(sc, algorithm, schedule, sc.model().checkpoint(), costs)
                .toBuilder().churn(List.of())
                .joinShards(sc.data().reuseShards() ? SpsaRunSettings.JoinShards.WARN : SpsaRunSettings.JoinShards.REFUSE).build();
    }

    @Override
    public Integer call() throws Exception {
        onebyte.node.tls.TlsSettings tlsSettings = tls.settings("coordinator"); // bad stores: exit 2 before anything starts
        java.time.Duration waitForMembers = RunOptions.durationFlag("--rejoin-wait", rejoinWait, "60s or 2m");
        java.time.Duration pace = RunOptions.durationFlag("--round-pace", roundPace, "500ms or 2s");
        if (resume != null && (scenario != null && !scenario.toString().isEmpty() || !overrides.isEmpty() || run.out != null)) {
            System.err.println("onebyte: --resume takes the run's scenario and files from " + resume
                    + "; --scenario, --set and --out do not go with it");
            return 2;
        }
        SpsaRunSettings s;
        java.nio.file.Path out = run.out;
        onebyte.coordinator.experiment.RunDirectory runDir = null;
        CoordinatorRecord record = null;
        int port = net.port == 0 ? 25520 : net.port;
        if (resume != null) {
            onebyte.coordinator.scenario.Scenario sc = ResumeCommand.scenarioOf(resume, List.of()); // measured: the nodes' own seconds, as before
            String saved = CoordinatorRecord.address(resume);
            if (net.port == 0) {
                port = Integer.parseInt(saved.substring(saved.lastIndexOf(':') + 1));
            }
            s = settings(sc);
            if (s == null) {
                return 2;
            }
            runDir = onebyte.coordinator.experiment.RunDirectory.reopen(resume);
            try {
                record = CoordinatorRecord.resume(runDir, sc, spsaOf(sc), s);
            } catch (RuntimeException e) {
                runDir.close();
                throw e;
            }
            out = runDir.path();
            System.out.println("resuming " + out.toAbsolutePath() + " from round " + record.restore().round() + " (after the last"
                    + " round its commit log records); waiting up to " + waitForMembers.toSeconds() + " s for nodes "
                    + record.restore().state().getMembersList().stream().map(onebyte.proto.StateMember::getNodeId).toList()
                    + " to come back");
        } else if (scenario == null || scenario.toString().isEmpty()) {
            s = run.settings();
        } else {
            onebyte.coordinator.scenario.Scenario sc = new onebyte.coordinator.scenario.ScenarioLoader().load(scenario, overrides);
            s = settings(sc);
            if (s == null) {
                return 2;
            }
            if (out == null) {
                runDir = onebyte.coordinator.experiment.RunDirectory.create(sc);
                out = runDir.path();
                record = CoordinatorRecord.start(runDir, sc, spsaOf(sc), net.host + ":" + port);
            }
        }
        onebyte.coordinator.cluster.RunListener progress = pace.isZero() || pace.isNegative()
                ? new ProgressLines(System.out)
                : onebyte.coordinator.cluster.RunListener.all(new RoundPacer(pace), new ProgressLines(System.out));
        onebyte.coordinator.cluster.RunListener listener = record == null ? progress
                : onebyte.coordinator.cluster.RunListener.all(progress, record.listener());
        onebyte.coordinator.cluster.RestorePoint restore = record == null ? null : record.restore();
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        try (onebyte.coordinator.experiment.RunDirectory closeLog = runDir;
             CoordinatorRecord closeRecord = record;
             MetricsSink sink = out == null ? null : MetricsFiles.open(out)) {
            ActorSystem<Void> system = net.system(Behaviors.setup(ctx -> {
                ctx.spawn(restore == null ? Coordinator.create(s, sink, listener, result)
                        : Coordinator.resumeByRejoin(s, sink, listener, result, restore, waitForMembers), "coordinator");
                return Behaviors.empty();
            }), port, List.of(net.host + ":" + port), tlsSettings);
            net.startReadiness(system);
            System.out.println("coordinator listening at " + net.host + ":" + port + (tlsSettings == null ? "" : " (TLS, mutual authentication)")
                    + "; waiting for " + s.nodes() + " nodes");
            Duration timeout = s.roundDeadline().plus(pace.isNegative() ? Duration.ZERO : pace).multipliedBy(s.rounds() + 10).plusMinutes(10);
            RunResult r;
            try {
                r = result.get(timeout.toSeconds(), TimeUnit.SECONDS);
            } finally {
                Thread.sleep(1000); // let RunComplete reach the nodes
                BoundedShutdown.terminate(system);
            }
            boolean interrupted = r.stoppedBy() == onebyte.coordinator.clock.RunBudget.Stop.INTERRUPTED;
            if (interrupted) {
                System.out.println("interrupted (" + onebyte.coordinator.cluster.RunInterrupt.signal() + ") after "
                        + r.rows().size() + " completed rounds");
            }
            if (out != null && !r.rows().isEmpty()) {
                sink.close();
                if (interrupted) {
                    onebyte.coordinator.experiment.RunDirectory.recordInterrupt(out, r.rows().get(0).algorithm(),
                            onebyte.coordinator.cluster.RunInterrupt.signal(), r.rows().size());
                }
                onebyte.coordinator.report.RunReport.render(out, null);
                System.out.println("metrics written to " + out.toAbsolutePath() + " (report.html beside them)");
            }
            if (interrupted) {
                return onebyte.coordinator.cluster.RunInterrupt.exitCode();
            }
            long empty = r.rows().stream().filter(row -> row.contributed() == 0).count();
            if (empty > 0) {
                System.out.println(empty + " of " + r.rows().size() + " rounds closed without any contribution (nodes missed the "
                        + s.roundDeadline().toMillis() + " ms deadline or were gone)");
            }
            if (!r.rows().stream().allMatch(row -> !Boolean.FALSE.equals(row.replicasAgree()))) {
                return 3;
            }
            return 2 * empty > r.rows().size() ? 4 : 0;
        }
    }
}
