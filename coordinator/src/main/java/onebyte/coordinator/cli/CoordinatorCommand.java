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
import onebyte.node.ClusterConfig;
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
        footer = "Exit codes: 0 ok, 2 bad input, 3 replicas disagreed, 4 most rounds had no contribution, 130 / 143 stopped by"
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

    @Override
    public Integer call() throws Exception {
        onebyte.node.tls.TlsSettings tlsSettings = tls.settings("coordinator"); // bad stores: exit 2 before anything starts
        SpsaRunSettings s;
        java.nio.file.Path out = run.out;
        onebyte.coordinator.experiment.RunDirectory runDir = null;
        if (scenario == null || scenario.toString().isEmpty()) {
            s = run.settings();
        } else {
            onebyte.coordinator.scenario.Scenario sc = new onebyte.coordinator.scenario.ScenarioLoader().load(scenario, overrides);
            onebyte.coordinator.scenario.ChurnSchedule schedule = onebyte.coordinator.scenario.ChurnSchedule.resolve(sc);
            onebyte.coordinator.experiment.ScenarioCheckpoint.validate(sc);
            onebyte.coordinator.experiment.ShardPlan.validate(sc, schedule);
            onebyte.core.algorithm.Algorithm algorithm = sc.run().algorithms().stream()
                    .filter(onebyte.core.algorithm.Algorithm::isSpsa).findFirst().orElse(null);
            if (algorithm == null) {
                System.err.println("onebyte: the multi-process coordinator runs SPSA; " + scenario + " lists " + sc.run().algorithms());
                return 2;
            }
            // fixed clock costs as in embedded runs; with clock.costs = measured, each node's own measured seconds
            onebyte.coordinator.clock.VirtualClock.WorkCosts costs = sc.clock().measured() ? null : sc.clock().costs();
            s = onebyte.coordinator.experiment.ScenarioSettings.spsa(sc, algorithm, schedule, sc.model().checkpoint(), costs)
                    .toBuilder().churn(List.of()).build();
            if (out == null) {
                runDir = onebyte.coordinator.experiment.RunDirectory.create(sc);
                out = runDir.path();
            }
        }
        java.time.Duration pace;
        try {
            pace = RunOptions.parseDuration(roundPace);
        } catch (RuntimeException e) {
            System.err.println("onebyte: --round-pace must be a duration such as 500ms or 2s, got '" + roundPace + "'");
            return 2;
        }
        onebyte.coordinator.cluster.RunListener listener = pace.isZero() || pace.isNegative()
                ? new ProgressLines(System.out)
                : onebyte.coordinator.cluster.RunListener.all(new RoundPacer(pace), new ProgressLines(System.out));
        int port = net.port == 0 ? 25520 : net.port;
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        try (onebyte.coordinator.experiment.RunDirectory closeLog = runDir;
             MetricsSink sink = out == null ? null : MetricsFiles.open(out)) {
            ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
                ctx.spawn(Coordinator.create(s, sink, listener, result), "coordinator");
                return Behaviors.empty();
            }), ClusterConfig.SYSTEM_NAME, net.clusterConfig(port, List.of(net.host + ":" + port), tlsSettings));
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
