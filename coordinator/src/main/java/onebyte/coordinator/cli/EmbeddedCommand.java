package onebyte.coordinator.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import onebyte.coordinator.cluster.EmbeddedCluster;
import onebyte.coordinator.console.ProgressLines;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code onebyte embedded}: the coordinator and N nodes as ActorSystems in this JVM, over loopback Artery TCP. */
@Command(name = "embedded", mixinStandardHelpOptions = true,
        description = "Run an SPSA cluster in this JVM (coordinator + nodes as separate ActorSystems on loopback).")
public final class EmbeddedCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws Exception {
        SpsaRunSettings s = run.settings();
        Duration timeout = s.roundDeadline().multipliedBy(s.rounds() + 10).plusMinutes(2);
        try (MetricsSink sink = run.out == null ? null : MetricsFiles.open(run.out)) {
            RunResult r = EmbeddedCluster.run(s, sink, new ProgressLines(System.out), timeout);
            if (run.out != null) {
                System.out.println("metrics written to " + run.out.toAbsolutePath());
            }
            return r.rows().stream().allMatch(row -> !Boolean.FALSE.equals(row.replicasAgree())) ? 0 : 3;
        }
    }
}
