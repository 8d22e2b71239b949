package onebyte.coordinator.cli;

import static onebyte.coordinator.cli.BadInputTest.assertOneLine;
import static onebyte.coordinator.cli.ResumeBadInputTest.run;
import static onebyte.coordinator.cli.ResumeBadInputTest.runDir;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.node.wire.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onebyte coordinator --resume RUN_DIR} of a run directory it cannot go on with fails with
 * one line and exit 2 before any ActorSystem starts: not a run directory, a run of
 * {@code onebyte run} (resumed by {@code onebyte resume}), a finished run, one of another onebyte
 * version, a damaged commit log and one whose model hashes its commits do not reproduce (both
 * naming the last good round); {@code onebyte resume} of a coordinator's run directory names the
 * command that resumes it. The run directories are those of {@link ResumeBadInputTest}, with the
 * coordinator's address file where a coordinator's run has one.
 */
class CoordinatorResumeBadInputTest {
    @TempDir
    Path dir;

    private Path coordinatorRun(long budget, int rows, String version) throws IOException {
        Path run = runDir(dir, budget, rows, version);
        Files.writeString(run.resolve(RunDirectory.COORDINATOR), "127.0.0.1:25520\n");
        return run;
    }

    @Test
    void notARunDirectory() {
        assertOneLine(run("coordinator", "--resume", dir.toString()), "onebyte: " + dir + ": no scenario.conf: not a run directory");
    }

    @Test
    void aRunOfOnebyteRun() throws Exception {
        Path run = runDir(dir, 10, 3, OnebyteCommand.VERSION);
        assertOneLine(run("coordinator", "--resume", run.toString()), "not a run of onebyte coordinator --scenario (a run of onebyte run:"
                + " resume it with onebyte resume)");
        Files.writeString(run.resolve(RunDirectory.COORDINATOR), "127.0.0.1:25520\n");
        assertOneLine(run("resume", run.toString()), "a run of onebyte coordinator (multi-process): resume it with onebyte coordinator"
                + " --resume " + run);
    }

    @Test
    void aFinishedRun() throws Exception {
        Path run = coordinatorRun(3, 3, OnebyteCommand.VERSION);
        assertOneLine(run("coordinator", "--resume", run.toString()),
                "onebyte: " + run + ": the run is finished (spsa: budget.rounds after 3 rounds): nothing to resume");
    }

    @Test
    void aRunDirectoryOfAnotherVersion() throws Exception {
        Path run = coordinatorRun(10, 2, "0.0.9");
        assertOneLine(run("coordinator", "--resume", run.toString()), "written by onebyte 0.0.9 (wire version " + Wire.VERSION
                + "), this is onebyte " + OnebyteCommand.VERSION);
    }

    @Test
    void aDamagedCommitLog() throws Exception {
        ResumeBadInputTest.assertADamagedLogIsRefused(coordinatorRun(10, 3, OnebyteCommand.VERSION), "coordinator", "--resume");
    }

    @Test
    void aCommitLogWhoseHashesTheCommitsDoNotReproduce() throws Exception {
        Path run = coordinatorRun(10, 3, OnebyteCommand.VERSION); // model hashes 0x1234 + r, no θ has them
        Files.writeString(run.resolve(RunDirectory.SCENARIO), new onebyte.coordinator.scenario.ScenarioLoader() // θ_0 without pretraining
                .load(Path.of("../scenarios/quickstart.conf"), java.util.List.of("budget.rounds=10", "pretrain.steps=0")).resolved());
        long rows = Files.size(run.resolve("metrics.csv"));
        BadInputTest.Failure f = run("coordinator", "--resume", run.toString());
        assertOneLine(f, "the commit log does not replay: the model after round 0 is ");
        assertOneLine(f, "the log has 1234; no round is good");
        assertEquals(rows, Files.size(run.resolve("metrics.csv")), "a failed resume leaves the rows as they were");
    }

    @Test
    void resumeWithAScenario() throws Exception {
        Path run = coordinatorRun(10, 3, OnebyteCommand.VERSION);
        BadInputTest.Failure f = run("coordinator", "--resume", run.toString(), "--set", "budget.rounds=20");
        assertOneLine(f, "--resume takes the run's scenario and files from " + run + "; --scenario, --set and --out do not go with it");
    }
}
