package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four JVM processes on localhost (the coordinator and three nodes, started through the CLI main
 * class) run an SPSA run; one node process is killed with SIGKILL (kill -9) mid-run, and a fifth
 * process joins the running cluster afterwards (by snapshot).
 */
class ProcessClusterTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    private Process start(String name, String... args) {
        return processes.start(name, !name.equals("coordinator"), args);
    }

    @Test
    void coordinatorAndThreeNodeProcessesSurviveKillMinus9() throws Exception {
        int port = CliProcesses.freePort();
        Path out = dir.resolve("run");
        Process coordinator = start("coordinator", "coordinator", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--nodes", "3", "--rounds", "300", "--round-deadline", "5s", "--workload", TinyWorkloadFactory.FLAG,
                "--engine", "core", "--lr", "0.05", "--batch-size", "32", "--run-id", "processes", "--out", out.toString());
        List<Process> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(start("node" + i, "node", "--host", "127.0.0.1", "--seed-nodes", "127.0.0.1:" + port));
        }
        CountDownLatch round20 = new CountDownLatch(1);
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(coordinator.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.startsWith("round    20 ")) {
                        round20.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        reader.start();
        assertTrue(round20.await(120, TimeUnit.SECONDS), "no round 20 within 120 s:\n" + log);
        Process victim = nodes.get(2);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        Process late = start("node4", "node", "--host", "127.0.0.1", "--seed-nodes", "127.0.0.1:" + port, "--sync", "snapshot");
        assertTrue(coordinator.waitFor(120, TimeUnit.SECONDS), "coordinator did not finish:\n" + log);
        reader.join(5000);
        String text;
        synchronized (log) {
            text = log.toString();
        }
        System.out.println(text.lines().filter(l -> !l.startsWith("round") || l.contains("deadline") || l.contains("crashed"))
                .reduce("", (a, b) -> a + b + "\n"));
        assertEquals(0, coordinator.exitValue(), text);
        assertEquals(137, victim.waitFor());

        List<MetricsRow> rows = MetricsFiles.readCsv(out.resolve(MetricsFiles.CSV));
        assertEquals(300, rows.size());
        rows.forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round()));
        int crashRow = -1;
        int joinRow = -1;
        for (MetricsRow row : rows) {
            if (row.crashed() > 0 && crashRow < 0) {
                crashRow = (int) row.round();
            }
            if (row.round() > 0 && row.joined() > 0) {
                joinRow = (int) row.round();
            }
        }
        assertTrue(crashRow >= 20, "no crash recorded: " + rows);
        assertEquals(1, rows.stream().mapToInt(MetricsRow::crashed).sum());
        assertEquals(3, rows.get(crashRow - 1).members());
        // the late node syncs while the crashed round waits for its deadline or a little later
        assertTrue(joinRow >= crashRow, "the late node did not join: " + text);
        for (MetricsRow row : rows.subList(crashRow + 1, rows.size())) {
            int expected = row.round() >= joinRow ? 3 : 2; // joined is counted in the first round the node is a member of
            assertEquals(expected, row.members(), "round " + row.round());
            assertEquals(expected, row.contributed(), "round " + row.round());
        }
        // the snapshot is of the round open when it was served; under load rounds go on while it syncs
        assertTrue(text.lines().anyMatch(l -> l.startsWith("node ") && l.contains(" synced by snapshot to round ")
                && l.endsWith("hash agrees")), text);
        // the surviving node processes end on the coordinator's final replica and exit 0
        List<Process> survivors = List.of(nodes.get(0), nodes.get(1), late);
        for (int i = 0; i < 3; i++) {
            String name = i < 2 ? "node" + (i + 1) : "node4";
            assertTrue(survivors.get(i).waitFor(60, TimeUnit.SECONDS), name + " still running");
            String nodeLog = Files.readString(processes.log(name));
            assertTrue(nodeLog.contains("run complete after 300 rounds; replica at 300 agrees with the coordinator's"), nodeLog);
            assertEquals(0, survivors.get(i).exitValue(), name);
        }
    }
}
