package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import onebyte.coordinator.cluster.TinyWorkloadFactory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * budget.virtual-seconds and budget.bytes stop SPSA and federated runs after the round that
 * reaches them, long before budget.rounds; summary.json and the console name the budget.
 */
class BudgetsStopRunsTest {
    static final String SCENARIO = """
            run.algorithms = [spsa, fedavg]
            model.hidden = [8]
            data { train-size = 1200, eval-size = 300 }
            pretrain.steps = 60
            nodes.initial = 3
            budget.rounds = 100
            eval.every = 50
            fedavg.local-steps = 2
            """;

    @Test
    void aVirtualTimeBudgetStopsEveryAlgorithm(@TempDir Path dir) throws Exception {
        check(dir, "budget.virtual-seconds=0.2", "budget.virtual-seconds", MetricsRow::virtualTimeS, 0.2);
    }

    @Test
    void aBytesBudgetStopsEveryAlgorithm(@TempDir Path dir) throws Exception {
        check(dir, "budget.bytes=20000", "budget.bytes", r -> r.bytesCum(), 20_000);
    }

    /** The flag-driven cluster (`onebyte embedded`, same options as `onebyte coordinator`) takes the same budgets. */
    @Test
    void embeddedTakesTheBudgetsAsFlags(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("embedded");
        RunCommandTest.Console c = RunCommandTest.Console.execute("embedded", "--nodes", "3", "--rounds", "100", "--eval-every", "50",
                "--workload", TinyWorkloadFactory.FLAG, "--engine", "core", "--max-bytes", "20000", "--out", out.toString());
        assertEquals(0, c.code(), c.out());
        List<MetricsRow> rows = MetricsFiles.readCsv(out.resolve(MetricsFiles.CSV));
        assertTrue(rows.size() > 1 && rows.size() < 100, "ran " + rows.size() + " rounds");
        assertTrue(rows.get(rows.size() - 1).bytesCum() >= 20_000, "last row " + rows.get(rows.size() - 1));
        assertTrue(rows.get(rows.size() - 2).bytesCum() < 20_000, "the row before the last " + rows.get(rows.size() - 2));

        Path timed = dir.resolve("embedded-vt");
        c = RunCommandTest.Console.execute("embedded", "--nodes", "3", "--rounds", "100", "--eval-every", "50",
                "--workload", TinyWorkloadFactory.FLAG, "--engine", "core", "--max-virtual-seconds", "0.2", "--out", timed.toString());
        assertEquals(0, c.code(), c.out());
        rows = MetricsFiles.readCsv(timed.resolve(MetricsFiles.CSV));
        assertTrue(rows.size() > 1 && rows.size() < 100, "ran " + rows.size() + " rounds");
        assertTrue(rows.get(rows.size() - 1).virtualTimeS() >= 0.2 && rows.get(rows.size() - 2).virtualTimeS() < 0.2,
                "virtual time " + rows.get(rows.size() - 2).virtualTimeS() + " then " + rows.get(rows.size() - 1).virtualTimeS());
    }

    private static void check(Path dir, String budget, String key, ToDoubleFunction<MetricsRow> used, double limit) throws Exception {
        Path scenario = dir.resolve("budget.conf");
        Files.writeString(scenario, SCENARIO);
        RunCommandTest.Console c = RunCommandTest.Console.execute("run", scenario.toString(), "--set", budget,
                "--set", "run.output-dir=\"" + dir.resolve("runs") + "\"");
        assertEquals(0, c.code(), c.out());
        Path run;
        try (Stream<Path> dirs = Files.list(dir.resolve("runs"))) {
            run = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        List<MetricsRow> all = MetricsFiles.readCsv(run.resolve(MetricsFiles.CSV));
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        for (String algorithm : List.of("spsa", "fedavg")) {
            List<MetricsRow> rows = all.stream().filter(r -> r.algorithm().equals(algorithm)).toList();
            MetricsRow last = rows.get(rows.size() - 1);
            assertTrue(rows.size() > 1 && rows.size() < 100, algorithm + " ran " + rows.size() + " rounds");
            assertTrue(used.applyAsDouble(last) >= limit, algorithm + ": the last round reached the budget: " + last);
            assertTrue(used.applyAsDouble(rows.get(rows.size() - 2)) < limit, algorithm + ": the round before did not");
            assertFalse(Double.isNaN(last.evalAccuracy()), algorithm + ": the last round is evaluated");
            JsonNode a = find(summary.get("algorithms"), algorithm);
            assertEquals(key, a.get("stoppedBy").asText(), summary.toPrettyString());
            assertTrue(c.out().contains("done: " + rows.size() + " rounds, stopped by " + key), c.out());
        }
    }

    private static JsonNode find(JsonNode algorithms, String name) {
        for (JsonNode a : algorithms) {
            if (a.get("algorithm").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("no " + name + " in " + algorithms);
    }
}
