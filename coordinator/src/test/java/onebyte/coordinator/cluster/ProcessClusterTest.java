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
 * class) run an SPSA run; one node process is killed with SIGKILL (kill -9) mid-run, a fifth
 * process joins the running cluster afterwards (by snapshot), and once the crash is counted one
 * node gets SIGTERM (what {@code docker stop} sends): it leaves gracefully, counted as left and not
 * as crashed. The coordinator paces rounds ({@code --round-pace}) so the churn lands mid-run.
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
    void coordinatorAndThreeNodeProcessesSurviveKillMinus9AndSigterm() throws Exception {
        int port = CliProcesses.freePort();
        Path out = dir.resolve("run");
        Process coordinator = start("coordinator", "coordinator", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--nodes", "3", "--rounds", "300", "--round-deadline", "5s", "--workload", TinyWorkloadFactory.FLAG,
                "--engine", "core", "--lr", "0.05", "--batch-size", "32", "--run-id", "processes", "--out", out.toString(),
                "--round-pace", "200ms");
        List<Process> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(start("node" + i, "node", "--host", "127.0.0.1", "--seed-nodes", "127.0.0.1:" + port));
        }
        CountDownLatch round20 = new CountDownLatch(1);
        CountDownLatch crashCounted = new CountDownLatch(1);
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
                    if (line.startsWith("round ") && line.contains(" crashed")) {
                        crashCounted.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        reader.start();
        if (!round20.await(120, TimeUnit.SECONDS)) {
            StringBuilder nodeLogs = new StringBuilder();
            for (String name : List.of("node1", "node2", "node3")) {
                nodeLogs.append("\n").append(name).append(":\n")
                        .append(Files.exists(processes.log(name)) ? Files.readString(processes.log(name)) : "(no log)");
            }
            synchronized (log) {
                throw new AssertionError("no round 20 within 120 s (coordinator " + (coordinator.isAlive() ? "running" : "exited "
                        + coordinator.exitValue()) + "):\n" + log + nodeLogs);
            }
        }
        Process victim = nodes.get(2);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        Process late = start("node4", "node", "--host", "127.0.0.1", "--seed-nodes", "127.0.0.1:" + port, "--sync", "snapshot");
        assertTrue(crashCounted.await(60, TimeUnit.SECONDS), "no crash counted within 60 s:\n" + log);
        Process leaver = nodes.get(0);
        leaver.destroy(); // SIGTERM
        assertTrue(coordinator.waitFor(240, TimeUnit.SECONDS), "coordinator did not finish:\n" + log);
        reader.join(5000);
        String text;
        synchronized (log) {
            text = log.toString();
        }
        System.out.println(text.lines().filter(l -> !l.startsWith("round") || l.contains("deadline") || l.contains("crashed"))
                .reduce("", (a, b) -> a + b + "\n"));
        assertEquals(0, coordinator.exitValue(), text);
        assertEquals(137, victim.waitFor());
        assertEquals(143, leaver.waitFor(), "node1 exits after its SIGTERM's shutdown hooks");
        assertTrue(Files.readString(processes.log("node1")).contains("SIGTERM: leaving the run"), Files.readString(processes.log("node1")));

        List<MetricsRow> rows = MetricsFiles.readCsv(out.resolve(MetricsFiles.CSV));
        assertEquals(300, rows.size());
        rows.forEach(row -> assertEquals(Boolean.TRUE, row.replicasAgree(), "round " + row.round()));
        int crashRow = -1;
        int joinRow = -1;
        int leaveRow = -1;
        for (MetricsRow row : rows) {
            if (row.left() > 0) {
                leaveRow = (int) row.round();
            }
            if (row.crashed() > 0 && crashRow < 0) {
                crashRow = (int) row.round();
            }
            if (row.round() > 0 && row.joined() > 0) {
                joinRow = (int) row.round();
            }
        }
        assertTrue(crashRow >= 20, "no crash recorded: " + rows);
        assertEquals(1, rows.stream().mapToInt(MetricsRow::crashed).sum(), "the SIGTERM is a leave, not a crash");
        assertEquals(1, rows.stream().mapToInt(MetricsRow::left).sum());
        assertEquals(3, rows.get(crashRow - 1).members());
        // the late node syncs while the crashed round waits for its deadline or a little later
        assertTrue(joinRow >= crashRow, "the late node did not join: " + text);
        assertTrue(leaveRow >= crashRow, "node1 left after the crash: " + text);
        for (MetricsRow row : rows.subList(crashRow + 1, rows.size())) {
            // joined is counted in the first round the node is a member of; a leave in the round it was acked in,
            // which is the one the node was in (still a member) or the next one (no longer)
            int expected = 2 + (row.round() >= joinRow ? 1 : 0) - (row.round() > leaveRow ? 1 : 0);
            if (row.round() == leaveRow) {
                assertTrue(row.members() == expected || row.members() == expected - 1, "round " + row.round() + ": " + row);
            } else {
                assertEquals(expected, row.members(), "round " + row.round());
            }
            assertEquals(row.members(), row.contributed(), "round " + row.round());
        }
        // the snapshot is of the round open when it was served; under load rounds go on while it syncs
        assertTrue(text.lines().anyMatch(l -> l.startsWith("node ") && l.contains(" synced by snapshot to round ")
                && l.endsWith("hash agrees")), text);
        // the surviving node processes end on the coordinator's final replica and exit 0
        List<Process> survivors = List.of(nodes.get(1), late);
        for (int i = 0; i < 2; i++) {
            String name = i == 0 ? "node2" : "node4";
            assertTrue(survivors.get(i).waitFor(60, TimeUnit.SECONDS), name + " still running");
            String nodeLog = Files.readString(processes.log(name));
            assertTrue(nodeLog.contains("run complete after 300 rounds; replica at 300 agrees with the coordinator's"), nodeLog);
            assertEquals(0, survivors.get(i).exitValue(), name);
        }
    }
}
