package onebyte.coordinator.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.experiment.RunDirectory;
import onebyte.coordinator.experiment.ScenarioCheckpoint;
import onebyte.coordinator.resume.ResumePlan;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.input.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte resume RUN_DIR}: goes on with a run of {@code onebyte run} or {@code compare}
 * that was stopped (Ctrl-C, SIGTERM, kill -9, a machine that went away) from its last completed
 * round, in the same run directory, so that its rows are those of the run that was not stopped
 * (wall time aside). How: the run directory holds the resolved scenario, the starting checkpoint
 * and per algorithm a commit log (one record per completed round) and saved states every
 * {@code run.checkpoint-every} rounds ({@link onebyte.coordinator.resume.StateFiles}); the
 * algorithms that reached their budget stay as they are; the stopped one starts on a fresh
 * embedded cluster from its newest whole saved state (else from round 0) with the same seed,
 * checkpoint, clock costs and churn schedule (every number of a run is a function of those, see
 * SameScenarioSameNumbersTest), its rounds from there up to the last completed one checked against
 * their rows and commit-log records instead of written again; then it goes on live, and the
 * algorithms after it run. So a resume costs the time of the rounds after the saved state.
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Go on with a stopped run (Ctrl-C, SIGTERM, kill -9) from its last completed round, in its run directory.",
        footer = "Exit codes: 0 ok, 2 bad input (a finished run, a run directory of another onebyte version, a damaged"
                + " commit log: one line naming the last good round), 3 SPSA replicas disagreed, 5 the re-run differs from"
                + " the recorded rounds (nothing after the difference is written), 130 / 143 stopped again by SIGINT / SIGTERM.")
public final class ResumeCommand implements Callable<Integer> {
    /** Exit code when the re-run rounds differ from what the stopped run recorded. */
    static final int EXIT_MISMATCH = 5;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run directory of the stopped run (runs/<id>-<timestamp>).")
    Path runDir;

    @picocli.CommandLine.Mixin
    ConsoleOptions console = new ConsoleOptions();

    /** The resolved scenario a run directory holds, with {@code overrides}; bad input when there is none. */
    static Scenario scenarioOf(Path runDir, List<String> overrides) {
        Path scenarioFile = runDir.resolve(RunDirectory.SCENARIO);
        if (!Files.isRegularFile(scenarioFile)) {
            throw new BadInputException(runDir + ": no " + RunDirectory.SCENARIO + ": not a run directory");
        }
        return new ScenarioLoader().load(scenarioFile, overrides);
    }

    @Override
    public Integer call() throws Exception {
        console.apply();
        System.setProperty("java.awt.headless", "true");
        Scenario s = scenarioOf(runDir, List.of());
        if (s.clock().measured()) {
            // the costs the run measured are in its scenario.conf: use exactly those
            s = scenarioOf(runDir, List.of("clock.costs=fixed"));
        }
        if (Files.exists(runDir.resolve(RunDirectory.COORDINATOR))) {
            throw new BadInputException(runDir + ": a run of onebyte coordinator (multi-process): resume it with"
                    + " onebyte coordinator --resume " + runDir);
        }
        ResumePlan plan = ResumePlan.read(runDir, OnebyteCommand.VERSION, s.run().algorithms(),
                new onebyte.coordinator.clock.RunBudget(s.budget().rounds(), s.budget().virtualSeconds(), s.budget().bytes()));
        Path checkpoint = plan.checkpoint();
        if (checkpoint == null) {
            checkpoint = s.model().checkpoint() != null ? s.model().checkpoint() : runDir.resolve("pretrained.ckpt");
            if (!Files.isRegularFile(checkpoint)) {
                throw new BadInputException(runDir + ": stopped before its checkpoint was written: start it again with onebyte run");
            }
        }
        ScenarioCheckpoint.validate(s);
        ChurnSchedule schedule = ChurnSchedule.resolve(s);
        plan.apply();
        try (RunDirectory dir = RunDirectory.reopen(runDir)) {
            plan.notes().forEach(n -> System.out.println("resume: " + n));
            long from = plan.restorePoint() == null ? 0 : plan.restorePoint().round();
            String how = from == plan.rounds() ? " (from its saved state of round " + from + ")"
                    : " (rounds " + from + ".." + (plan.rounds() - 1) + " run again on a fresh cluster"
                    + (from > 0 ? " from its saved state of round " + from : "") + ", checked against their rows and commit log)";
            System.out.println("resuming " + runDir.toAbsolutePath() + ": " + plan.algorithm() + " from round " + plan.rounds()
                    + (plan.rounds() > 0 ? how : ""));
            RunCommand.Outcome out = RunCommand.runAll(dir, s, schedule, checkpoint, s.clock().costs(), s.run().algorithms().size() > 1,
                    plan);
            if (out.resumeMismatch() != null) {
                System.err.println("onebyte: resume: the re-run differs from the recorded run at " + out.resumeMismatch()
                        + "; nothing after it was written");
            }
            return out.exitCode();
        }
    }
}
