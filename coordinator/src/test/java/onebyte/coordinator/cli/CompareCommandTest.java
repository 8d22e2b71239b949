package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onebyte compare} of SPSA and FedAvg on real embedded clusters with churn on the common
 * virtual clock: a join at 0.4 s, node 1 leaving at 0.8 s, node 2 crashing at 1.2 s. Asserted from
 * metrics.csv alone: in each algorithm's run, each event shows up exactly in the first round whose
 * start virtual time (the previous round's virtual_time_s; 0 for round 0) is at or after the
 * event's time, and nowhere else.
 */
class CompareCommandTest {
    private record Event(double at, String what, ToIntFunction<MetricsRow> count) {}

    @Test
    void bothAlgorithmsSeeTheSameChurnAtTheSameVirtualTimes(@TempDir Path out) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(console, true));
            code = OnebyteCommand.commandLine().execute("compare", "../scenarios/quickstart.conf",
                    "--set", "run.algorithms=[spsa,fedavg]", "--set", "budget.rounds=80", "--set", "eval.every=40",
                    "--set", "run.output-dir=\"" + out + "\"", "--set", "fedavg.local-steps=4",
                    "--set", "churn.events=[{at=0.4s,action=join},{at=0.8s,action=leave,node=1},{at=1.2s,action=crash,node=2}]");
        } finally {
            System.setOut(saved);
        }
        String text = console.toString();
        assertEquals(0, code, text);
        Path dir;
        try (Stream<Path> dirs = Files.list(out)) {
            dir = dirs.filter(p -> p.getFileName().toString().startsWith("quickstart-")).findFirst().orElseThrow();
        }
        Map<String, List<MetricsRow>> byAlgorithm = new LinkedHashMap<>();
        for (MetricsRow r : MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV))) {
            byAlgorithm.computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
        }
        assertEquals(List.of("spsa", "fedavg"), List.copyOf(byAlgorithm.keySet()));
        List<Event> events = List.of(new Event(0.4, "joined", MetricsRow::joined), new Event(0.8, "left", MetricsRow::left),
                new Event(1.2, "crashed", MetricsRow::crashed));
        for (var e : byAlgorithm.entrySet()) {
            List<MetricsRow> rows = e.getValue();
            assertEquals(80, rows.size(), e.getKey());
            for (Event ev : events) {
                int expected = -1;
                for (int r = 0; r < rows.size(); r++) {
                    double start = r == 0 ? 0 : rows.get(r - 1).virtualTimeS();
                    if (start >= ev.at()) {
                        expected = r;
                        break;
                    }
                }
                assertTrue(expected > 0, e.getKey() + ": the run must pass " + ev.at() + " s of virtual time");
                for (MetricsRow row : rows) {
                    int n = ev.count().applyAsInt(row);
                    if (row.round() == 0 && ev.what().equals("joined")) {
                        continue; // the initial nodes
                    }
                    assertEquals(row.round() == expected ? 1 : 0, n, e.getKey() + " round " + row.round() + " " + ev.what()
                            + " (event at " + ev.at() + " s belongs to round " + expected + ", which starts at "
                            + rows.get(expected - 1).virtualTimeS() + " s)");
                }
            }
            assertEquals(3, rows.get(rows.size() - 1).members(), e.getKey() + ": 4 initial + 1 join - 1 leave - 1 crash");
        }
        String table = Files.readString(dir.resolve(RunCommand.COMPARISON));
        assertTrue(text.contains(table), text);
        assertTrue(table.contains("spsa plateau:"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("fedavg") && l.contains("5/1/1")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("spsa") && l.contains("5/1/1")), table);
    }
}
