package onebyte.coordinator.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import onebyte.coordinator.cluster.ChurnDriver;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.SpsaRunSettings;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.resume.LogCatchUp;
import onebyte.coordinator.resume.ResumePlan;
import onebyte.coordinator.resume.RunLogWriter;
import onebyte.coordinator.resume.StateWriter;
import onebyte.coordinator.scenario.Scenario;
import onebyte.core.algorithm.Algorithm;
import onebyte.core.input.BadInputException;

/**
 * What {@code onebyte coordinator --scenario} keeps in its run directory so that
 * {@code coordinator --resume RUN_DIR} can go on with the run: the coordinator's host:port
 * ({@link RunDirectory#COORDINATOR}), the SPSA commit log and the saved states every
 * {@code run.checkpoint-every} rounds, written as {@code onebyte run} writes them (see
 * {@link ResumeCommand}); and, for a resumed run, where it starts ({@link LogCatchUp}: right after
 * the last recorded round) with the log appended from there. {@link #listener} writes the log
 * and the states; close it at the end of the run.
 */
final class CoordinatorRecord implements AutoCloseable {
    private final RunLogWriter log;
    private final RunListener listener;
    private final RestorePoint restore;

    private CoordinatorRecord(RunLogWriter log, StateWriter states, RestorePoint restore) {
        this.log = log;
        this.listener = RunListener.all(log, states); // after the log: a saved state's round always has its record on disk
        this.restore = restore;
    }

    /** A new run of {@code algorithm} of {@code sc} in {@code dir}, its coordinator at {@code address} (host:port). */
    static CoordinatorRecord start(RunDirectory dir, Scenario sc, Algorithm algorithm, String address) {
        try {
            Files.writeString(dir.path().resolve(RunDirectory.COORDINATOR), address + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.path().resolve(RunDirectory.COORDINATOR), e);
        }
        RunLogWriter log = RunLogWriter.create(dir.path(), RunCommand.logHeader(dir, sc, algorithm, sc.model().checkpoint()));
        return new CoordinatorRecord(log, states(dir.path(), sc, 0), null);
    }

    /**
     * The stopped run in {@code dir} of {@code algorithm} of {@code sc} with settings {@code s}: checks
     * it (bad input: one line, nothing changed), rebuilds the coordinator's θ after its last recorded
     * round, then cuts its files there (a torn row or record is dropped) and appends from there.
     */
    static CoordinatorRecord resume(RunDirectory dir, Scenario sc, Algorithm algorithm, SpsaRunSettings s) {
        ResumePlan plan = ResumePlan.read(dir.path(), OnebyteCommand.VERSION, List.of(algorithm), s.budget());
        RestorePoint restore = LogCatchUp.after(plan, s);
        plan.notes().forEach(n -> System.out.println("resume: " + n));
        plan.apply();
        RunLogWriter log = RunLogWriter.append(dir.path(), algorithm.id(), restore.round());
        return new CoordinatorRecord(log, states(dir.path(), sc, restore.round()), restore);
    }

    /** The host:port the coordinator of the multi-process run in {@code runDir} listened at; bad input when it is not one. */
    static String address(Path runDir) {
        Path f = runDir.resolve(RunDirectory.COORDINATOR);
        if (!Files.isRegularFile(f)) {
            throw new BadInputException(runDir + ": no " + RunDirectory.COORDINATOR + ": not a run of onebyte coordinator --scenario"
                    + (Files.isRegularFile(runDir.resolve(RunDirectory.SCENARIO)) ? " (a run of onebyte run: resume it with onebyte resume)" : ""));
        }
        try {
            return Files.readString(f, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** The saved states of the run (no churn driver of its own: in a multi-process run nodes churn by themselves, each on its id's shard). */
    private static StateWriter states(Path runDir, Scenario sc, long firstRound) {
        return new StateWriter(runDir, OnebyteCommand.VERSION, sc.run().checkpointEvery(), ChurnDriver.of(List.of()), firstRound);
    }

    RunListener listener() {
        return listener;
    }

    /** Where the resumed run starts; null for a new run. */
    RestorePoint restore() {
        return restore;
    }

    @Override
    public void close() {
        log.close();
    }
}
