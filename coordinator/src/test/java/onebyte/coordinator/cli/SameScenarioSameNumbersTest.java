package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product promise: the same scenario and seed give the same numbers. One small scenario with
 * churn on the virtual clock (two nodes join at once, a node crashes, another leaves), SPSA and
 * FedSpeed with partial participation, run twice through {@code onebyte run}: every metrics row
 * is identical except wall_time_s (and run_id, which names each run's own directory).
 */
class SameScenarioSameNumbersTest {
    static final String SCENARIO = """
            run { algorithms = [spsa, fedspeed], seed = 7 }
            model.hidden = [8]
            data { train-size = 1200, eval-size = 300 }
            pretrain.steps = 60
            nodes.initial = 3
            budget.rounds = 40
            eval.every = 10
            spsa { lr = 2e-3, round-deadline = 2s }
            fedspeed { local-steps = 3, participation = 0.75, round-deadline = 2s }
            churn.events = [
              { at = 0.1s, action = join, count = 2 }
              { at = 0.25s, action = crash, node = 2 }
              { at = 0.3s, action = leave, node = 1 }
            ]
            """;

    @Test
    void twoRunsOfOneScenarioGiveTheSameRowsButWallTime(@TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("same.conf");
        Files.writeString(scenario, SCENARIO);
        // output directories of the same length: Admit carries the workload spec, which names the
        // pretrained checkpoint in the run directory by its path (README, "Churn and the common clock")
        Path first = run(scenario, dir.resolve("run-1"));
        Path second = run(scenario, dir.resolve("run-2"));

        List<MetricsRow> a = MetricsFiles.readCsv(first.resolve(MetricsFiles.CSV));
        List<MetricsRow> b = MetricsFiles.readCsv(second.resolve(MetricsFiles.CSV));
        assertEquals(80, a.size());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).repeatable(), b.get(i).repeatable(), "row " + i + " (" + a.get(i).algorithm() + ")");
        }
        for (String algorithm : List.of("spsa", "fedspeed")) {
            List<MetricsRow> rows = a.stream().filter(r -> r.algorithm().equals(algorithm)).toList();
            assertEquals(0, rows.get(0).joined(), algorithm + ": the initial members are not churn");
            assertEquals(2, rows.stream().mapToInt(MetricsRow::joined).sum(), algorithm);
            assertEquals(1, rows.stream().mapToInt(MetricsRow::left).sum(), algorithm);
            assertEquals(3, rows.get(rows.size() - 1).members(), algorithm + ": 3 + 2 joined - 1 left - 1 crashed");
        }
        // SPSA waits for every member, so the crash shows in the round it happened and costs that round its deadline
        List<MetricsRow> spsa = a.stream().filter(r -> r.algorithm().equals("spsa")).toList();
        assertEquals(1, spsa.stream().mapToInt(MetricsRow::crashed).sum());
        int crash = (int) spsa.stream().filter(r -> r.crashed() == 1).findFirst().orElseThrow().round();
        assertTrue(spsa.get(crash).virtualTimeS() - spsa.get(crash - 1).virtualTimeS() >= 2.0 - 1e-9, "the crash round lasts its deadline"); // a difference of cumulative sums

        String conf = Files.readString(first.resolve(RunDirectory.SCENARIO));
        assertTrue(conf.contains("costs") && conf.contains("fixed") && conf.contains("forward-us"), conf);
        assertEquals(conf.replace("run-1", "run-2"), Files.readString(second.resolve(RunDirectory.SCENARIO)),
                "both runs record the same scenario and clock, but for their output directory");
    }

    private static Path run(Path scenario, Path out) throws Exception {
        RunCommandTest.Console c = RunCommandTest.Console.execute("run", scenario.toString(), "--set",
                "run.output-dir=\"" + out + "\"");
        assertEquals(0, c.code(), c.out());
        assertTrue(c.out().contains("the scenario's fixed costs"), c.out());
        try (Stream<Path> dirs = Files.list(out)) {
            return dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }
}
