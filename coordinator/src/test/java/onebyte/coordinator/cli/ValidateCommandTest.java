package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import onebyte.coordinator.experiment.RoundBytes;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code onebyte validate}: the plan without a run, and the bytes it predicts are those a real run counts. */
class ValidateCommandTest {
    @TempDir Path out;

    @Test
    void printsThePlanAndRunsNothing() {
        RunCommandTest.Console c = RunCommandTest.Console.execute("validate", "../scenarios/compare-quickstart.conf",
                "--set", "run.output-dir=\"" + out + "\"");
        assertEquals(0, c.code(), c.out() + c.err());
        for (String want : List.of("is valid", "algorithms: spsa, spsa-f32, fedspeed, fedavg", "d = 804",
                "t=1.000s join node 5", "t=1.500s crash node 2", "200 rounds", "iid into 5 shards (one per node: 4 initial + 1 join) of ~1,600 examples; node ids 1..5 train on 5 of them (~8,000 of 8,000 examples)",
                "spsa      up      192 B  down      456 B")) {
            assertTrue(c.out().contains(want), want + " in\n" + c.out());
        }
        assertTrue(!Files.exists(out) || out.toFile().list().length == 0, "validate wrote nothing");
    }

    @Test
    void anInvalidScenarioFailsWithFileLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "nodes.initial = 4\nbudget.rounds = -3\n");
        RunCommandTest.Console c = RunCommandTest.Console.execute("validate", f.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains(f + ":2: budget.rounds"), c.err());
        assertTrue(c.err().lines().count() == 1, c.err());
    }

    @Test
    void thePredictedRoundBytesAreWhatARealRunCounts() throws Exception {
        RunCommandTest.Console c = RunCommandTest.Console.execute("run", "../scenarios/compare-quickstart.conf",
                "--set", "run.output-dir=\"" + out + "\"", "--set", "run.algorithms=[spsa,fedavg]", "--set", "budget.rounds=3",
                "--set", "churn.events=[]", "--set", "pretrain.steps=20");
        assertEquals(0, c.code(), c.out() + c.err());
        Path dir;
        try (Stream<Path> dirs = Files.list(out)) {
            dir = dirs.findFirst().orElseThrow();
        }
        List<MetricsRow> rows = MetricsFiles.readCsv(dir.resolve(MetricsFiles.CSV));
        MetricsRow spsa = rows.stream().filter(r -> r.algorithm().equals("spsa") && r.round() == 1).findFirst().orElseThrow();
        MetricsRow fedavg = rows.stream().filter(r -> r.algorithm().equals("fedavg") && r.round() == 1).findFirst().orElseThrow();
        var scenario = new onebyte.coordinator.scenario.ScenarioLoader().load(Path.of("../scenarios/compare-quickstart.conf"), List.of());
        RoundBytes.Round s = RoundBytes.spsa(1, 4, 1, 1, spsa.lr(), scenario.spsa().roundDeadline().toMillis());
        assertEquals(s.up(), spsa.bytesUp());
        assertEquals(s.down(), spsa.bytesDown());
        RoundBytes.Round f = RoundBytes.federated(1, 4, 804, fedavg.lr(), scenario.fedavg().roundDeadline().toMillis());
        assertEquals(f.up(), fedavg.bytesUp());
        assertEquals(f.down(), fedavg.bytesDown());
    }
}
