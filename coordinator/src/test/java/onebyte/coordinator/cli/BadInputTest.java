package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import onebyte.core.model.Checkpoint;
import onebyte.core.model.ModelSpec;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input (checkpoints, includes, data files) ends a command with one line on stderr and exit code 2, never a stack trace. */
class BadInputTest {
    @TempDir Path dir;

    /** Exit code and stderr of one command (stdout is captured and dropped). */
    record Failure(int code, String err) {}

    static Failure run(String... args) {
        RunCommandTest.Console c = RunCommandTest.Console.execute(args);
        return new Failure(c.code(), c.err());
    }

    static void assertOneLine(Failure f, String expected) {
        assertEquals(2, f.code(), f.err());
        assertEquals(1, f.err().strip().lines().count(), "one line, no stack trace: " + f.err());
        assertFalse(f.err().contains("Exception"), f.err());
        assertTrue(f.err().contains(expected), f.err());
    }

    @Test
    void aCorruptCheckpoint() throws Exception {
        Path junk = dir.resolve("junk.ckpt");
        byte[] bytes = new byte[5000];
        new Random(1).nextBytes(bytes);
        Files.write(junk, bytes);
        assertOneLine(run("run", "../scenarios/quickstart.conf", "--set", "model.checkpoint=" + junk),
                "onebyte: " + junk + ": not a valid checkpoint");
    }

    @Test
    void aCheckpointOfAnotherModel() throws Exception {
        Path other = dir.resolve("logreg.ckpt");
        ModelSpec spec = ModelSpec.logreg(20, 4);
        new Checkpoint(spec, new ParameterVector(84), 1, Map.of()).write(other);
        assertOneLine(run("run", "../scenarios/quickstart.conf", "--set", "model.checkpoint=" + other),
                other + ": the checkpoint holds logreg:inputs=20,classes=4, the scenario's model is mlp:inputs=20,hidden=32");
    }

    @Test
    void anIncludeThatDoesNotResolve() throws Exception {
        Path scenario = dir.resolve("s.conf");
        Files.writeString(scenario, "budget.rounds = 3\ninclude required(\"nope.conf\")\n");
        assertOneLine(run("links", scenario.toString()),
                "onebyte: invalid scenario: " + scenario + ":2: include: 'nope.conf' not found (looked for " + dir.resolve("nope.conf"));
        Files.writeString(scenario, "include \"nope.conf\"\n");
        assertOneLine(run("links", scenario.toString()), scenario + ":1: include: 'nope.conf' not found");
        Files.writeString(dir.resolve("base.conf"), "budget.rounds = 3\n");
        Files.writeString(scenario, "include \"base.conf\"\nnodes.initial = 5\n");
        assertEquals(0, RunCommandTest.Console.execute("links", scenario.toString()).code());
    }

    @Test
    void aPoolTooSmallForItsShardsFailsBeforeTheRun() throws Exception {
        Path out = dir.resolve("runs");
        assertOneLine(run("run", "../scenarios/quickstart.conf", "--set", "run.output-dir=\"" + out + "\"",
                "--set", "data.train-size=3", "--set", "pretrain.steps=0"),
                "data.train-size: a target pool of 3 examples cannot be cut into 5 shards");
        assertFalse(Files.exists(out), "nothing ran");
    }
}
