package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.report.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code onebyte run} process (the quickstart scenario with a budget it would need hours
 * for) gets SIGTERM after round 200, past the scenario's join: it exits 143, its rows end at the
 * last completed round (complete: every member contributed, replicas agreed), no row has the
 * nodes "crashed" by the shutdown, and summary.json (stoppedBy = interrupted), the plots and
 * report.html are written.
 */
class InterruptedRunProcessTest {
    @TempDir
    Path out;
    @RegisterExtension
    final CliProcesses processes = new CliProcesses();

    @Test
    void sigtermEndsTheRunAfterTheRoundInProgressWithItsReport() throws Exception {
        Process run = processes.start("run", false, "run", "../scenarios/quickstart.conf", "--set", "budget.rounds=1000000",
                "--set", "eval.every=50", "--set", "run.output-dir=\"" + out + "\"", "--progress-every", "1");
        CountDownLatch round200 = new CountDownLatch(1);
        StringBuilder console = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (console) {
                        console.append(line).append('\n');
                    }
                    if (line.startsWith("round   200 ")) {
                        round200.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        assertTrue(round200.await(240, TimeUnit.SECONDS), () -> "no round 200 within 240 s:\n" + text(console));
        // kill, not Process.destroy(): destroy also closes the streams this test still reads
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(run.pid())).inheritIO().start().waitFor());
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), () -> "still running 120 s after SIGTERM:\n" + text(console));
        reader.join(10_000);
        String text = text(console);
        assertEquals(RunInterrupt.EXIT_SIGTERM, run.exitValue(), text);

        Path dir;
        try (Stream<Path> dirs = Files.list(out)) {
            dir = dirs.filter(p -> p.getFileName().toString().startsWith("quickstart-")).findFirst().orElseThrow();
        }
        List<MetricsRow> rows = MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV));
        assertTrue(rows.size() > 200 && rows.size() < 1_000_000, "rows: " + rows.size());
        for (int i = 0; i < rows.size(); i++) {
            MetricsRow r = rows.get(i);
            assertEquals(i, r.round(), "rows are the completed rounds in order");
            assertTrue(r.crashed() == 0, "no node crashed in this run (no phantom row of the shutdown): " + r);
            assertEquals(r.members(), r.contributed(), "every member contributed: " + r);
            assertEquals(Boolean.TRUE, r.replicasAgree(), r.toString());
        }
        assertEquals(5, rows.get(rows.size() - 1).members(), "the node that joined at round 150 is still a member");
        assertEquals(rows, MetricsFiles.readJsonl(dir.resolve(MetricsFiles.JSONL)));

        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        JsonNode spsa = summary.get("algorithms").get(0);
        assertEquals("interrupted", spsa.get("stoppedBy").asText(), summary.toString());
        assertEquals(rows.size(), spsa.get("rounds").asInt(), summary.toString());
        assertTrue(Files.size(dir.resolve(RunReport.HTML)) > 0);
        assertTrue(Files.readString(dir.resolve(RunReport.HTML)).contains("interrupted"));
        for (String png : RunReport.PLOTS) {
            assertTrue(Files.size(dir.resolve(png)) > 10_000, png);
        }
        assertEquals("spsa SIGTERM " + rows.size(), Files.readString(dir.resolve(RunDirectory.INTERRUPTED)).trim());
        assertTrue(text.contains("interrupted (SIGTERM): spsa stopped after " + rows.size() + " completed rounds"), text);
        assertTrue(text.contains("report:"), text);
    }

    private static String text(StringBuilder b) {
        synchronized (b) {
            return b.toString();
        }
    }
}
