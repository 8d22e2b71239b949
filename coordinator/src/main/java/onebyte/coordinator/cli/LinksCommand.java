package onebyte.coordinator.cli;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte links SCENARIO}: the access link of every initial node of a scenario, one line
 * per node, {@code nodeIndex class latency_ms up_mbit down_mbit}. The scenario is validated and
 * its initial membership resolved exactly as {@code onebyte coordinator --scenario} does
 * (an availability trace can set it), so docker/netns-cluster.sh builds the links the
 * coordinator's virtual clock assumes. latency_ms is one way, applied in each direction (a
 * node's round trip to the coordinator is twice it).
 */
@Command(name = "links", mixinStandardHelpOptions = true,
        description = "Print each initial node's link from a scenario: nodeIndex class latency_ms up_mbit down_mbit.")
public final class LinksCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (HOCON).")
    Path scenario;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Scenario s = new ScenarioLoader().load(scenario, overrides); // bad input: BadInputHandler, exit 2
        ChurnSchedule schedule = ChurnSchedule.resolve(s);
        print(s, schedule.initialNodes(), System.out);
        return 0;
    }

    static void print(Scenario s, int initialNodes, PrintStream out) {
        Scenario.NodeClass c = s.nodes().classes().get(s.nodes().initialClass());
        for (int i = 1; i <= initialNodes; i++) {
            out.println(i + " " + c.name() + " " + plain(c.latencyMs()) + " " + plain(c.uplinkMbps()) + " " + plain(c.downlinkMbps()));
        }
    }

    /** 10.0 → "10", 0.064 → "0.064": no exponent, no trailing zeros. */
    static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
