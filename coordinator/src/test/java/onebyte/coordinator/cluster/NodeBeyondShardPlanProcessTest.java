package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-process run plans three nodes, so its data is cut into three shards (one per node); a
 * fourth {@code onebyte node} process would get node id 4 and read shard floorMod(4, 3) = 1, node
 * 1's data (three nodes, not two, because a keep-majority cluster of the coordinator and two nodes
 * would not survive its oldest member). The coordinator refuses it with a JoinRefused that says so; the node prints the reason and
 * exits with 2, and the run goes on with its three nodes.
 */
class NodeBeyondShardPlanProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    @Test
    void aNodeBeyondTheShardPlanIsRefusedAndToldWhy() throws Exception {
        Path scenario = dir.resolve("three.conf");
        Files.writeString(scenario, """
                run.algorithms = [spsa]
                nodes.initial = 3
                budget.rounds = 60
                eval.every = 20
                spsa.round-deadline = 5s
                """);
        int port = CliProcesses.freePort();
        Path runs = dir.resolve("runs");
        // paced, so the run is still going when the fourth node asks to join
        Process coordinator = processes.start("coordinator", true, "coordinator", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--scenario", scenario.toString(), "--set", "run.output-dir=" + runs, "--round-pace", "100ms");
        List<Process> nodes = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            nodes.add(processes.start("node" + i, true, "node", "--host", "127.0.0.1", "--seed-nodes", "127.0.0.1:" + port));
        }
        boolean finished = coordinator.waitFor(240, TimeUnit.SECONDS);
        String log = Files.readString(processes.log("coordinator"));
        assertTrue(finished, "coordinator did not finish:\n" + log);
        assertEquals(0, coordinator.exitValue(), log);

        int refused = 0;
        for (int i = 1; i <= 4; i++) {
            assertTrue(nodes.get(i - 1).waitFor(60, TimeUnit.SECONDS), "node" + i + " still runs");
            String nodeLog = Files.readString(processes.log("node" + i));
            if (nodes.get(i - 1).exitValue() == 2) {
                refused++;
                assertTrue(nodeLog.contains("the coordinator refused this node: the run cuts its data into 3 shards")
                        && nodeLog.contains("node 4 would train on node 1's shard"), nodeLog);
            } else {
                assertEquals(0, nodes.get(i - 1).exitValue(), "node" + i + ":\n" + nodeLog);
            }
        }
        assertEquals(1, refused, "exactly one node (the fourth to join) is refused");

        Path metrics;
        try (Stream<Path> found = Files.walk(runs)) {
            metrics = found.filter(p -> p.getFileName().toString().equals(MetricsFiles.CSV)).findFirst().orElseThrow();
        }
        List<MetricsRow> rows = MetricsFiles.readCsv(metrics);
        assertEquals(60, rows.size());
        for (MetricsRow row : rows) {
            assertEquals(3, row.members(), "round " + row.round() + ": the refused node never became a member");
            assertEquals(0, row.joined(), "round " + row.round());
        }
    }
}
