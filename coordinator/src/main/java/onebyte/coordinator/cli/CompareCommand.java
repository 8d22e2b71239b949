package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte compare SCENARIO}: {@code onebyte run} of every algorithm the scenario lists
 * (spsa, spsa-f32, fedspeed, fedavg) with the same seed, checkpoint, partition and churn events
 * on the common virtual clock, ending in the comparison table (also written to comparison.txt)
 * and the SPSA-vs-FedSpeed byte ratio.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run every algorithm of a scenario on the same history and print the comparison table.",
        footer = "Exit codes: 0 ok, 2 bad input, 3 SPSA replicas disagreed, 130 / 143 stopped by Ctrl-C (SIGINT) / SIGTERM"
                + " (the algorithm in progress ends after its current round; the ones after it do not run; the report is written).")
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file listing several algorithms (scenarios/compare-quickstart.conf).")
    Path scenarioFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key, e.g. --set budget.rounds=100 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @picocli.CommandLine.Mixin
    ConsoleOptions console = new ConsoleOptions();

    @Override
    public Integer call() throws Exception {
        console.apply();
        return RunCommand.runScenario(scenarioFile, overrides, true);
    }
}
