package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.experiment.ScenarioCheckpoint;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code onebyte pretrain SCENARIO --out FILE}: Adam on the scenario's source distribution, written as a checkpoint. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain the scenario's model on its source distribution and write a checkpoint "
                + "(use it with --set model.checkpoint=FILE).")
public final class PretrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file: its model, data and pretrain sections are used.")
    Path scenarioFile;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the checkpoint.")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Scenario s = new ScenarioLoader().load(scenarioFile, overrides); // bad input: BadInputHandler, exit 2
        if (s.data().fromFiles()) System.out.println("data: " + onebyte.coordinator.experiment.ScenarioSettings.fileTask(s).description());
        ScenarioCheckpoint.pretrain(s, out, System.out::println);
        System.out.println("checkpoint: " + out.toAbsolutePath());
        return 0;
    }
}
