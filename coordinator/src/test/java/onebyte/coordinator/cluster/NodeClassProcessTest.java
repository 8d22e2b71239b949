package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onebyte node --node-class}: a multi-process run from a scenario with two node classes.
 * Three node processes of the initial class ("fast", 1 ms) and one started with
 * {@code --node-class slow} (200 ms one way) make the run's four nodes; every round then lasts at
 * least the slow node's round trip, which only holds if its class reached the coordinator. A fifth
 * process names a class the scenario does not have: it is refused, told why, and exits with 2.
 */
class NodeClassProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    private Process start(String name, String... args) {
        return processes.start(name, true, args);
    }

    @Test
    void aNodeStartedWithItsClassIsChargedThatClassesLinks() throws Exception {
        Path scenario = dir.resolve("classes.conf");
        Files.writeString(scenario, """
                run.algorithms = [spsa]
                nodes {
                  initial = 4
                  class = fast
                  classes.fast { uplink-mbps = 10, downlink-mbps = 10, latency-ms = 1 }
                  classes.slow { uplink-mbps = 10, downlink-mbps = 10, latency-ms = 200 }
                }
                budget.rounds = 30
                eval.every = 10
                spsa.round-deadline = 5s
                """);
        int port = CliProcesses.freePort();
        Path runs = dir.resolve("runs");
        Process coordinator = start("coordinator", "coordinator", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--scenario", scenario.toString(), "--set", "run.output-dir=" + runs);
        String seeds = "127.0.0.1:" + port;
        Process refused = start("nosuch", "node", "--host", "127.0.0.1", "--seed-nodes", seeds, "--node-class", "nosuch");
        for (int i = 1; i <= 3; i++) {
            start("node" + i, "node", "--host", "127.0.0.1", "--seed-nodes", seeds);
        }
        start("slow", "node", "--host", "127.0.0.1", "--seed-nodes", seeds, "--node-class", "slow");
        boolean finished = coordinator.waitFor(240, TimeUnit.SECONDS);
        String log = Files.readString(processes.log("coordinator"));
        assertTrue(finished, "coordinator did not finish:\n" + log);
        assertEquals(0, coordinator.exitValue(), log);
        assertTrue(log.contains("node class 'nosuch' is not one of"), "the unknown class is refused:\n" + log);
        // the refused node is told so, says why and exits with 2 instead of retrying for ever
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS), "the refused node still runs");
        String refusedLog = Files.readString(processes.log("nosuch"));
        assertEquals(2, refused.exitValue(), refusedLog);
        assertTrue(refusedLog.contains("the coordinator refused this node: node class 'nosuch' is not one of ["), refusedLog);

        Path metrics;
        try (Stream<Path> found = Files.walk(runs)) {
            metrics = found.filter(p -> p.getFileName().toString().equals(MetricsFiles.CSV)).findFirst().orElseThrow();
        }
        // the coordinator's INFO lines (admissions) go to the run directory's run.log, not to the console
        String runLog = Files.readString(metrics.resolveSibling("run.log"));
        assertTrue(runLog.contains("class slow)"), "the slow node's admission:\n" + runLog);
        List<MetricsRow> rows = MetricsFiles.readCsv(metrics);
        assertEquals(30, rows.size());
        for (int i = 1; i < rows.size(); i++) {
            MetricsRow row = rows.get(i);
            assertEquals(4, row.members(), "round " + i);
            double took = row.virtualTimeS() - rows.get(i - 1).virtualTimeS();
            // out and back over the slow node's 200 ms latency; the fast nodes alone need a few ms
            assertTrue(took >= 0.4, "round " + i + " lasted " + took + " s of virtual time");
            assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + i);
        }
    }
}
