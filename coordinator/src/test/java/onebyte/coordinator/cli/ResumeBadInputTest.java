package onebyte.coordinator.cli;

import static onebyte.coordinator.cli.BadInputTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.metrics.MetricsFiles;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.coordinator.resume.ResumePlan;
import onebyte.coordinator.resume.RunLog;
import onebyte.coordinator.resume.RunLogWriter;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.algorithm.Algorithm;
import onebyte.node.wire.Wire;
import onebyte.proto.RunLogHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onebyte resume} of a run directory it cannot go on with fails with one line and exit 2
 * before anything runs: a finished run, one of another onebyte version, a damaged commit log (the
 * line names the last good round); a log whose last record was torn by a kill is not damaged: the
 * run goes on from the last whole record. The run directories are written here by the same
 * writers a run uses (scenario.conf, metrics rows, commit log), with rows no cluster computed.
 */
class ResumeBadInputTest {
    @TempDir
    Path dir;

    private Path runDir(long budget, int rows, String version) throws IOException {
        return runDir(dir, budget, rows, version);
    }

    /** A run directory in {@code dir} of the quickstart with {@code budget} rounds, {@code rows} rows of spsa and their commit log. */
    static Path runDir(Path dir, long budget, int rows, String version) throws IOException {
        Path run = dir.resolve("quickstart-20261204-000000");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunDirectory.SCENARIO), new ScenarioLoader()
                .load(Path.of("../scenarios/quickstart.conf"), List.of("budget.rounds=" + budget)).resolved());
        Path checkpoint = Files.writeString(run.resolve("pretrained.ckpt"), "not read before the plan is checked");
        RunLogHeader header = RunLogHeader.newBuilder().setFormatVersion(RunLog.FORMAT_VERSION).setOnebyteVersion(version)
                .setWireVersion(Wire.VERSION).setAlgorithm("spsa").setRunId(run.getFileName().toString()).setRunSeed(42)
                .setCheckpoint(checkpoint.toAbsolutePath().toString()).build();
        try (MetricsSink sink = MetricsFiles.open(run); RunLogWriter log = RunLogWriter.create(run, header)) {
            for (int r = 0; r < rows; r++) {
                MetricsRow row = new MetricsRow(run.getFileName().toString(), "spsa", r, 0.02 * (r + 1), 0.01 * r, 4, 4, 4, 0, 0, 0,
                        0.2, Double.NaN, Double.NaN, 192, 456, 648L * (r + 1), 8L * (r + 1), true, 2e-3, 42);
                sink.write(row);
                log.roundClosed(row, new RunListener.RoundReport(r, java.util.Set.of(1, 2, 3, 4), java.util.Set.of(1, 2, 3, 4), false,
                        0.01, 0.001, 0x1234L + r, java.util.Map.of()));
            }
        }
        return run;
    }

    /** Exit code and stderr of one command (RunCommandTest.Console captures stderr itself). */
    static BadInputTest.Failure run(String... args) {
        RunCommandTest.Console c = RunCommandTest.Console.execute(args);
        return new BadInputTest.Failure(c.code(), c.err());
    }

    private static void append(Path file, byte... bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            out.write(bytes);
        }
    }

    @Test
    void aFinishedRun() throws Exception {
        Path run = runDir(3, 3, OnebyteCommand.VERSION);
        assertOneLine(run("resume", run.toString()),
                "onebyte: " + run + ": the run is finished (spsa: budget.rounds after 3 rounds): nothing to resume");
    }

    @Test
    void aRunDirectoryOfAnotherVersion() throws Exception {
        Path run = runDir(10, 2, "0.0.9");
        assertOneLine(run("resume", run.toString()), "written by onebyte 0.0.9 (wire version " + Wire.VERSION + "), this is onebyte "
                + OnebyteCommand.VERSION);
    }

    @Test
    void aCommitLogWithARecordThatDoesNotParse() throws Exception {
        assertADamagedLogIsRefused(runDir(10, 3, OnebyteCommand.VERSION), "resume");
    }

    /**
     * {@code command... run} of a run directory of 3 rounds whose log has a whole record that does
     * not parse after them: one line naming round 2 as the last good one, the log left as it was.
     */
    static void assertADamagedLogIsRefused(Path run, String... command) throws IOException {
        Path log = RunLog.file(run, "spsa");
        long whole = Files.size(log);
        append(log, (byte) 3, (byte) 0xff, (byte) 0xff, (byte) 0xff); // a whole record of 3 bytes that are no RoundRecord
        List<String> args = new ArrayList<>(List.of(command));
        args.add(run.toString());
        assertOneLine(run(args.toArray(String[]::new)), "the commit log is damaged: the record of round 3 does not parse; the last good round is 2");
        assertEquals(whole + 4, Files.size(log), "a failed resume leaves the log as it was");
    }

    @Test
    void aCommitLogThatDisagreesWithTheRows() throws Exception {
        Path run = runDir(10, 3, OnebyteCommand.VERSION);
        List<String> csv = new ArrayList<>(Files.readAllLines(run.resolve(MetricsFiles.CSV)));
        csv.set(2, csv.get(2).replace(",1296,", ",1297,")); // round 1's bytes_cum
        Files.write(run.resolve(MetricsFiles.CSV), csv);
        assertOneLine(run("resume", run.toString()), "the record of round 1 does not match");
        assertOneLine(run("resume", run.toString()), "the last good round is 0");
    }

    @Test
    void aTornLastRecordAndLineAreDroppedAndTheRunGoesOnFromTheLastWholeRound() throws Exception {
        Path run = runDir(10, 3, OnebyteCommand.VERSION);
        append(RunLog.file(run, "spsa"), (byte) 40, (byte) 8); // a record of 40 bytes cut after its first byte
        append(run.resolve(MetricsFiles.CSV), "quickstart,spsa,3,0.0".getBytes()); // a row cut mid-line
        ResumePlan plan = ResumePlan.read(run, OnebyteCommand.VERSION, List.of(Algorithm.SPSA), new RunBudget(10, 0, 0));
        assertEquals(Algorithm.SPSA, plan.algorithm());
        assertEquals(3, plan.rounds());
        plan.apply();
        assertEquals(3, MetricsFiles.readCsv(run.resolve(MetricsFiles.CSV)).size());
        assertEquals(3, MetricsFiles.readJsonl(run.resolve(MetricsFiles.JSONL)).size());
        assertEquals(3, RunLog.read(RunLog.file(run, "spsa")).records().size());
    }
}
