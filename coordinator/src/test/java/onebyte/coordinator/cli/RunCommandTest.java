package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.report.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command, shortened: a real embedded cluster run from a shipped scenario. */
class RunCommandTest {
    /** An exit code and what the command printed on stdout and stderr. */
    record Console(int code, String out, String err) {
        static Console execute(String... args) {
            PrintStream saved = System.out;
            PrintStream savedErr = System.err;
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            try {
                System.setOut(new PrintStream(console, true));
                System.setErr(new PrintStream(errors, true));
                return new Console(OnebyteCommand.commandLine().execute(args), console.toString(), errors.toString());
            } finally {
                System.setOut(saved);
                System.setErr(savedErr);
            }
        }
    }

    @Test
    void quickstartRunsEndToEndAndLeavesAReadableRunDirectory(@TempDir Path out) throws Exception {
        Console c = Console.execute("run", "../scenarios/quickstart.conf",
                "--set", "budget.rounds=60", "--set", "eval.every=20", "--set", "run.output-dir=\"" + out + "\"",
                "--set", "churn.events=[{round=20,action=join,sync=replay},{round=40,action=crash,node=1}]", "--progress-every", "50");
        String text = c.out();
        assertEquals(0, c.code(), text);
        Path dir;
        try (Stream<Path> dirs = Files.list(out)) {
            dir = dirs.filter(p -> p.getFileName().toString().startsWith("quickstart-")).findFirst().orElseThrow();
        }
        List<MetricsRow> rows = MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV));
        assertEquals(60, rows.size());
        assertEquals(rows, MetricsFiles.readJsonl(dir.resolve(MetricsFiles.JSONL)));
        assertTrue(rows.stream().allMatch(r -> Boolean.TRUE.equals(r.replicasAgree())), "replicas must agree every round");
        assertTrue(rows.stream().allMatch(r -> r.algorithm().equals("spsa") && r.runId().equals(dir.getFileName().toString())));
        assertEquals(1, rows.stream().mapToInt(MetricsRow::crashed).sum());
        assertEquals(5, rows.get(30).members());
        assertEquals(4, rows.get(59).members());
        for (String f : List.of("scenario.conf", "run.log", "summary.json", "pretrained.ckpt", RunReport.HTML)) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        for (String png : RunReport.PLOTS) {
            assertTrue(Files.size(dir.resolve(png)) > 10_000, png);
        }
        assertTrue(text.contains("round    59"), text);
        assertTrue(text.contains("report:"), text);
        // no terminal: a line at each evaluation (0, 19, 39, 59) and churn event (20, 40) only
        List<String> progress = text.lines().filter(l -> l.startsWith("round ")).map(l -> l.substring(0, 11).trim()).toList();
        assertEquals(List.of("round     0", "round    19", "round    20", "round    39", "round    40", "round    59"), progress, text);
        // INFO lines of onebyte, Akka and the cluster go to run.log only; the console keeps warnings
        String log = Files.readString(dir.resolve("run.log"));
        assertTrue(log.contains("SBR started") && log.contains("admitting node"), log);
        String console = text + c.err();
        assertFalse(console.contains("SBR started") || console.contains("admitting node"), console);
        assertTrue(console.contains("WARN") && console.contains("node 1 crashed"), console);
    }

    @Test
    void anInvalidScenarioStopsBeforeAnythingStartsWithFileLineAndKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "nodes.initial = 4\nspsa.codec = log7\n");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true));
            code = OnebyteCommand.commandLine().execute("run", f.toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        assertTrue(err.toString().contains(f + ":2: spsa.codec: expected one of log8, f32, sign, paper, got 'log7'"), err.toString());
    }
}
