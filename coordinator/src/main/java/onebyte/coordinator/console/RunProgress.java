package onebyte.coordinator.console;

import java.io.PrintStream;
import onebyte.coordinator.cluster.RunListener;

/**
 * How an {@code onebyte run/compare/sweep} shows a run's progress: on a terminal a live bar per
 * algorithm ({@link ProgressBarView}); without one (CI, a pipe) a line every N rounds and at every
 * evaluation and churn event ({@link ProgressLines}); N is {@code --progress-every}, by default
 * a twentieth of the rounds.
 */
public final class RunProgress {
    private static volatile long every; // 0: a twentieth of the run

    private RunProgress() {}

    /** Sets N for the line view (0: a twentieth of the rounds). */
    public static void every(long n) {
        if (n < 0) throw new IllegalArgumentException("--progress-every must be >= 0, got " + n);
        every = n;
    }

    public static RunListener forAlgorithm(String algorithm, long rounds, PrintStream out) {
        if (ConsoleLog.onTerminal()) {
            return new ProgressBarView(algorithm, rounds, out);
        }
        return new ProgressLines(out, every > 0 ? every : Math.max(1, rounds / 20));
    }
}
