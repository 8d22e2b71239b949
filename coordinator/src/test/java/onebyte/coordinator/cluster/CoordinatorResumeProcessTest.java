package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onebyte coordinator --resume RUN_DIR}: a coordinator process of a small scenario and three
 * node processes (three, so that keep-oldest does not down a two-node cluster with its lowest
 * address) run; the coordinator is killed with kill -9 after round 20 and started again with
 * {@code --resume} at the same port. The nodes, downed by the Split Brain Resolver when they lost
 * the coordinator, come back in fresh ActorSystems under their node ids: by replay when their
 * replica is the coordinator's θ of the round it holds (none is behind the commit log; one whose
 * replica is ahead of it, when the kill fell between a commit's broadcast and its record, by
 * snapshot); the run completes its rounds, metrics.csv has each round once and in order, and the
 * nodes end on the coordinator's final θ (exit 0). Then a second {@code --resume} of the finished run
 * fails with one line and exit 2.
 */
class CoordinatorResumeProcessTest {
    private static final int ROUNDS = 60;
    private static final Pattern BACK = Pattern.compile(
            "coordinator: node (\\d+) is back \\(.*\\) with its replica of round (\\d+) \\(hash [0-9a-f]+\\): (.*)$");
    private static final Pattern RESUMING = Pattern.compile("^resuming .* from round (\\d+) .*");

    @TempDir
    Path dir;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    @Test
    void aKilledCoordinatorResumedAtItsPortTakesItsNodesBack() throws Exception {
        Path scenario = dir.resolve("small.conf");
        Files.writeString(scenario, """
                run.algorithms = [spsa]
                run.checkpoint-every = 8
                nodes.initial = 3
                budget.rounds = %d
                eval.every = 10
                spsa.round-deadline = 5s
                """.formatted(ROUNDS));
        int port = CliProcesses.freePort();
        Path runs = dir.resolve("runs");
        ProcessConsole first = ProcessConsole.of(processes.start("coordinator", false, "coordinator", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--scenario", scenario.toString(), "--set", "run.output-dir=" + runs,
                "--round-pace", "250ms"), null, 20);
        List<Process> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(processes.start("node" + i, true, "node", "--host", "127.0.0.1", "--seed-nodes", "127.0.0.1:" + port,
                    "--rejoin-for", "3m"));
        }
        assertTrue(first.reached().await(180, TimeUnit.SECONDS), () -> "no round 20 within 180 s:\n" + first.text());
        Thread.sleep(100); // into the pace's wait before the next round: the round's record is on disk
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(first.process().pid())).inheritIO().start().waitFor());
        assertEquals(137, first.exit(30));
        Path run;
        try (Stream<Path> found = Files.list(runs)) {
            run = found.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        long recorded = MetricsFiles.readCsv(run.resolve(MetricsFiles.CSV)).size();

        ProcessConsole second = ProcessConsole.of(processes.start("resumed", false, "coordinator", "--host", "127.0.0.1",
                "--resume", run.toString(), "--rejoin-wait", "90s"), null, ROUNDS - 1);
        assertEquals(0, second.exit(240), () -> second.text() + nodeLogs());
        String console = second.text();
        Matcher m = RESUMING.matcher(console.lines().filter(l -> l.startsWith("resuming ")).findFirst().orElse(""));
        assertTrue(m.matches(), console);
        long k = Long.parseLong(m.group(1));
        assertTrue(k >= 20 && k <= recorded, "resumed at " + k + " after " + recorded + " rows:\n" + console);
        assertTrue(second.firstRound() == k, "the resumed coordinator runs the rounds after the record:\n" + console);
        assertTrue(console.contains("coordinator listening at 127.0.0.1:" + port), "the same port from the run directory:\n" + console);

        String runLog = Files.readString(run.resolve("run.log"));
        System.out.println("killed after " + recorded + " rows; resumed:\n" + console.lines().filter(l -> !l.startsWith("round")
                || l.startsWith("round " + String.format("%5d", k))).reduce("", (a, b) -> a + b + "\n")
                + runLog.lines().filter(l -> l.contains("resume") || l.contains(" is back ") || l.contains("come back"))
                .reduce("", (a, b) -> a + b + "\n") + nodeLogs().lines().filter(l -> l.startsWith("node") || l.contains("downed")
                || l.contains("back under") || l.contains("synced by")).reduce("", (a, b) -> a + b + "\n"));
        assertTrue(runLog.contains("resume: θ of round " + k + " rebuilt from the saved state of round "), runLog);
        int replays = 0;
        List<Integer> back = new ArrayList<>();
        for (String line : runLog.lines().toList()) {
            Matcher b = BACK.matcher(line);
            if (b.find()) {
                back.add(Integer.parseInt(b.group(1)));
                long round = Long.parseLong(b.group(2));
                boolean replay = b.group(3).contains("by replay");
                replays += replay ? 1 : 0;
                // a node holds θ of the last recorded round, or of the next when the kill fell after its commit
                assertTrue(round == k && replay || round == k + 1 && !replay, line);
            }
        }
        assertEquals(List.of(1, 2, 3), back.stream().sorted().toList(), "every node came back under its id:\n" + runLog);
        assertTrue(replays >= 1, "at least one node resynced by replay:\n" + runLog);
        assertTrue(console.contains("synced by replay to round " + k), console);

        List<MetricsRow> rows = MetricsFiles.readCsv(run.resolve(MetricsFiles.CSV));
        assertEquals(ROUNDS, rows.size(), "every round once");
        for (int i = 0; i < rows.size(); i++) {
            MetricsRow r = rows.get(i);
            assertEquals(i, r.round(), "rounds in order");
            assertEquals(Boolean.TRUE, r.replicasAgree(), r.toString());
            assertEquals(3, r.members(), r.toString());
            assertTrue(i == 0 || r.bytesCum() > rows.get(i - 1).bytesCum() && r.virtualTimeS() > rows.get(i - 1).virtualTimeS(),
                    "counters go on from the record: " + r);
        }
        for (int i = 1; i <= 3; i++) {
            Process node = nodes.get(i - 1);
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node" + i + " still running");
            String log = Files.readString(processes.log("node" + i));
            assertEquals(0, node.exitValue(), log);
            assertTrue(log.contains("before the run was over (the coordinator is gone?); keeping its replica of round"), log);
            assertTrue(log.contains("run complete after " + ROUNDS + " rounds; replica at " + ROUNDS + " agrees with the coordinator's"),
                    log);
        }

        ProcessConsole again = ProcessConsole.of(processes.start("again", false, "coordinator", "--resume", run.toString()), null, 0);
        assertEquals(2, again.exit(60), again.text());
        assertEquals(1, again.lines().size(), again.text());
        assertTrue(again.text().contains(": the run is finished (spsa: budget.rounds after " + ROUNDS + " rounds)"), again.text());
    }

    private String nodeLogs() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            Path f = processes.log("node" + i);
            try {
                b.append("\nnode").append(i).append(":\n").append(Files.exists(f) ? Files.readString(f) : "(no log)");
            } catch (java.io.IOException e) {
                b.append("\nnode").append(i).append(": ").append(e);
            }
        }
        return b.toString();
    }
}
