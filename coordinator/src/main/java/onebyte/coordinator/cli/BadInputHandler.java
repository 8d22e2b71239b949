package onebyte.coordinator.cli;

import onebyte.core.input.BadInputException;
import onebyte.coordinator.scenario.ScenarioException;
import picocli.CommandLine;

/**
 * Where a command's bad input becomes its one-line message: a {@link BadInputException} anywhere
 * in the cause chain (a scenario, a data file, a checkpoint, also when it was thrown inside a
 * future or an actor) prints {@code onebyte: MESSAGE} on stderr and exits 2. Anything else is a
 * bug and keeps its stack trace.
 */
final class BadInputHandler implements CommandLine.IExecutionExceptionHandler {
    /** Exit code of a command given input it cannot use. */
    static final int EXIT_BAD_INPUT = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        BadInputException bad = find(ex);
        if (bad == null) throw ex;
        System.err.println("onebyte: " + (bad instanceof ScenarioException ? "invalid scenario: " : "") + bad.getMessage());
        return EXIT_BAD_INPUT;
    }

    /** The first {@link BadInputException} in {@code t}'s cause chain, or null. */
    static BadInputException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BadInputException b) return b;
        }
        return null;
    }
}
