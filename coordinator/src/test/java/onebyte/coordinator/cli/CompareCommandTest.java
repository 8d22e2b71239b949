package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * virtual clock: a join at 0.2 s, node 1 leaving at 0.35 s and rejoining (same shard, fresh node id)
 * at 0.45 s, node 2 crashing at 0.6 s (every round lasts at least twice the 10 ms one-way latency, so 40 rounds pass 0.8 s). Asserted from
 * metrics.csv alone: in each algorithm's run, each event shows up exactly in the first round whose
 * start virtual time (the previous round's virtual_time_s; 0 for round 0) is at or after the
 * event's time, and nowhere else.
 */
class CompareCommandTest {
    private record Event(double at, String what, ToIntFunction<MetricsRow> count) {}

    @Test
    void bothAlgorithmsSeeTheSameChurnAtTheSameVirtualTimes(@TempDir Path out) throws Exception {
        RunCommandTest.Console c = RunCommandTest.Console.execute("compare", "../scenarios/quickstart.conf",
                    "--set", "run.algorithms=[spsa,fedavg]", "--set", "budget.rounds=80", "--set", "eval.every=40",
                    "--set", "run.output-dir=\"" + out + "\"", "--set", "fedavg.local-steps=4",
                    "--set", "churn.events=[{at=0.2s,action=join},{at=0.35s,action=leave,node=1},{at=0.45s,action=rejoin,node=1},"
                            + "{at=0.6s,action=crash,node=2}]");
        String text = c.out();
        assertEquals(0, c.code(), text);
        Path dir;
        try (Stream<Path> dirs = Files.list(out)) {
            dir = dirs.filter(p -> p.getFileName().toString().startsWith("quickstart-")).findFirst().orElseThrow();
        }
        Map<String, List<MetricsRow>> byAlgorithm = new LinkedHashMap<>();
        for (MetricsRow r : MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV))) {
            byAlgorithm.computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
        }
        assertEquals(List.of("spsa", "fedavg"), List.copyOf(byAlgorithm.keySet()));
        List<Event> events = List.of(new Event(0.2, "joined", MetricsRow::joined), new Event(0.35, "left", MetricsRow::left),
                new Event(0.45, "joined", MetricsRow::joined), new Event(0.6, "crashed", MetricsRow::crashed));
        for (var e : byAlgorithm.entrySet()) {
            List<MetricsRow> rows = e.getValue();
            assertEquals(80, rows.size(), e.getKey());
            Map<String, Map<Long, Integer>> expected = new LinkedHashMap<>();
            for (Event ev : events) {
                int round = -1;
                for (int r = 0; r < rows.size(); r++) {
                    double start = r == 0 ? 0 : rows.get(r - 1).virtualTimeS();
                    if (start >= ev.at()) {
                        round = r;
                        break;
                    }
                }
                assertTrue(round > 0, e.getKey() + ": the run must pass " + ev.at() + " s of virtual time");
                expected.computeIfAbsent(ev.what(), k -> new LinkedHashMap<>()).merge((long) round, 1, Integer::sum);
            }
            for (Event ev : events) {
                for (MetricsRow row : rows) {
                    long start = row.round();
                    assertEquals(expected.get(ev.what()).getOrDefault(start, 0), ev.count().applyAsInt(row), e.getKey() + " round "
                            + row.round() + " " + ev.what() + ": expected " + expected.get(ev.what()) + " (round -> events); "
                            + "round " + row.round() + " starts at " + (row.round() == 0 ? 0 : rows.get((int) row.round() - 1).virtualTimeS()));
                }
            }
            assertEquals(4, rows.get(rows.size() - 1).members(), e.getKey() + ": 4 initial + join - leave + rejoin - crash");
        }
        String table = Files.readString(dir.resolve(RunCommand.COMPARISON));
        assertTrue(text.contains(table), text);
        assertTrue(table.contains("spsa plateau:"), table);
        // joins count churn only (the join and the rejoin), not the 4 initial members
        assertTrue(table.lines().anyMatch(l -> l.startsWith("fedavg") && l.contains("2/1/1")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("spsa") && l.contains("2/1/1")), table);
    }
}
