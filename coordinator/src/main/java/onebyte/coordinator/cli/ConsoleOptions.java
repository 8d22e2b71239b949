package onebyte.coordinator.cli;

import onebyte.coordinator.console.ConsoleLog;
import onebyte.coordinator.console.RunProgress;
import picocli.CommandLine.Option;

/** How a run talks to the console: {@code --verbose} and {@code --progress-every} (run, compare, sweep). */
final class ConsoleOptions {
    @Option(names = "--verbose", description = "Also print the INFO lines of onebyte, Akka and the cluster (they always go to the run's run.log).")
    boolean verbose;

    @Option(names = "--progress-every", paramLabel = "N",
            description = "Without a terminal: a progress line every N rounds, besides every evaluation and churn event (default: a twentieth of the rounds).")
    long progressEvery;

    void apply() {
        ConsoleLog.verbose(verbose);
        RunProgress.every(progressEvery);
    }
}
