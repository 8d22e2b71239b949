package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.cluster.EmbeddedCluster;
import onebyte.coordinator.cluster.ProgressPrinter;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.experiment.ScenarioCheckpoint;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.coordinator.metrics.RelabelledSink;
import onebyte.coordinator.metrics.RunSummary;
import onebyte.coordinator.report.RunReport;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioException;
import onebyte.coordinator.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte run SCENARIO}: validates the scenario, pretrains (or loads) the starting
 * checkpoint, runs each listed algorithm on an embedded cluster (coordinator and nodes as
 * separate ActorSystems in this JVM over loopback Artery TCP), and writes metrics, summary,
 * plots and the report into a fresh run directory.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a scenario on an embedded cluster and write its metrics, summary and report.")
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (scenarios/*.conf).")
    Path scenarioFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key, e.g. --set spsa.lr=5e-4 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Scenario s;
        ChurnSchedule schedule;
        try {
            s = new ScenarioLoader().load(scenarioFile, overrides);
            schedule = ChurnSchedule.resolve(s);
        } catch (ScenarioException e) {
            System.err.println("onebyte: invalid scenario: " + e.getMessage());
            return 2;
        }
        for (String a : s.run().algorithms()) {
            if (!a.startsWith("spsa")) {
                System.err.println("onebyte: algorithm '" + a + "' cannot run on the cluster yet (only spsa and spsa-f32 are built); "
                        + "remove it from run.algorithms");
                return 2;
            }
        }
        try (RunDirectory dir = RunDirectory.create(s)) {
            System.out.println("run directory: " + dir.path().toAbsolutePath());
            if (!schedule.events().isEmpty()) {
                System.out.println("churn: " + schedule.events());
            }
            Path checkpoint = ScenarioCheckpoint.prepare(s, dir.path(), System.out::println);
            boolean agreed = true;
            try (MetricsSink files = MetricsFiles.open(dir.path())) {
                for (String algorithm : s.run().algorithms()) {
                    SpsaRunSettings settings = ScenarioSettings.spsa(s, algorithm, schedule, checkpoint);
                    System.out.println("== " + algorithm + ": " + settings.nodes() + " nodes, " + settings.rounds() + " rounds, codec "
                            + settings.codec());
                    Duration timeout = settings.roundDeadline().multipliedBy(settings.rounds() + 10).plusMinutes(2);
                    RunResult r = EmbeddedCluster.run(settings, new RelabelledSink(files, dir.runId(), algorithm),
                            new ProgressPrinter(System.out), timeout);
                    agreed &= r.rows().stream().noneMatch(row -> Boolean.FALSE.equals(row.replicasAgree()));
                }
            }
            Double target = s.eval().targetAccuracy() > 0 ? s.eval().targetAccuracy() : null;
            RunSummary summary = RunReport.render(dir.path(), target);
            System.out.println();
            System.out.print(summary.table());
            System.out.println("metrics: " + dir.path().resolve(MetricsFiles.CSV).toAbsolutePath());
            System.out.println("report:  " + dir.path().resolve(RunReport.HTML).toAbsolutePath());
            return agreed ? 0 : 3;
        }
    }
}
