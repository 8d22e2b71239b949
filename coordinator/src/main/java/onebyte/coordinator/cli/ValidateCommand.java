package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import onebyte.coordinator.console.Bytes;
import onebyte.coordinator.experiment.RoundBytes;
import onebyte.coordinator.experiment.ScenarioCheckpoint;
import onebyte.coordinator.experiment.ShardPlan;
import onebyte.coordinator.experiment.ScenarioSettings;
import onebyte.coordinator.scenario.ChurnEvent;
import onebyte.coordinator.scenario.ChurnSchedule;
import onebyte.coordinator.scenario.Scenario;
import onebyte.coordinator.scenario.ScenarioLoader;
import onebyte.core.algorithm.Algorithm;
import onebyte.core.data.Partitioner;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.spsa.ByteCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onebyte validate SCENARIO}: every check {@code onebyte run} makes before it starts (keys,
 * types, ranges, churn, data files, checkpoint), then the resolved plan — algorithms, model and d,
 * data and partition sizes, nodes, churn events at their rounds or virtual times, budget, and the
 * bytes a round puts on the wire per algorithm ({@link RoundBytes}) — without running anything.
 * Exit 0 when valid, 2 (one line, file:line) when not.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a scenario without running it and print the resolved plan (exit 0 valid, 2 invalid).")
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "A scenario file (scenarios/*.conf).")
    Path scenarioFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a scenario key, as for run (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Scenario s = new ScenarioLoader().load(scenarioFile, overrides); // bad input: BadInputHandler, exit 2
        ChurnSchedule schedule = ChurnSchedule.resolve(s);
        ScenarioCheckpoint.validate(s);
        ShardPlan.validate(s, schedule);
        System.out.print(plan(s, schedule));
        return 0;
    }

    /** The plan of a valid scenario, as printed. */
    static String plan(Scenario s, ChurnSchedule schedule) {
        StringBuilder b = new StringBuilder();
        ModelSpec spec = ScenarioCheckpoint.modelSpec(s);
        int d = Models.create(spec).numParams();
        line(b, "scenario:   %s is valid", s.file());
        line(b, "algorithms: %s", String.join(", ", s.run().algorithms().stream().map(Algorithm::id).toList()));
        line(b, "model:      %s, d = %,d (%s as float32)", spec, d, mb(4L * d));
        line(b, "start:      %s", s.model().checkpoint() != null ? "checkpoint " + s.model().checkpoint()
                : s.pretrain().steps() > 0 ? "pretrained at the start: " + s.pretrain().steps() + " steps on the source task"
                : "the model's own initialisation (pretrain.steps = 0)");
        int pool;
        if (s.data().fromFiles()) {
            var task = ScenarioSettings.fileTask(s);
            pool = task.pool().size();
            line(b, "data:       %s", task.description());
        } else {
            pool = s.data().trainSize();
            line(b, "data:       %s, target pool %,d, eval %,d", s.data().kind(), pool, s.data().evalSize());
        }
        Partitioner p = ShardPlan.partitioner(s, schedule);
        line(b, "partition:  %s into %d shards (%s) of ~%,d examples; node ids 1..%d train on %s (~%,d of %,d examples)", s.data().partition(),
                p.virtualShards(), ShardPlan.describe(s, schedule), pool / p.virtualShards(), schedule.scheduleIds(),
                schedule.scheduleIds() > p.virtualShards() ? "all of them, node " + (p.virtualShards() + 1) + " and later reusing earlier nodes' shards"
                        : schedule.scheduleIds() + " of them", (long) pool * Math.min(schedule.scheduleIds(), p.virtualShards()) / p.virtualShards(), pool);
        line(b, "nodes:      %d initial of class %s; classes %s", schedule.initialNodes(), s.nodes().initialClass(),
                s.nodes().classes().values().stream().map(c -> String.format(Locale.ROOT, "%s (up %s Mbit/s, down %s, %s ms)", c.name(),
                        c.uplinkMbps(), c.downlinkMbps(), c.latencyMs())).toList());
        line(b, "churn:      %s", schedule.events().isEmpty() ? "none" : schedule.events().toString());
        line(b, "budget:     %s; evaluation every %d rounds%s", RunCommand.budget(new onebyte.coordinator.clock.RunBudget(
                s.budget().rounds(), s.budget().virtualSeconds(), s.budget().bytes())), s.eval().every(),
                s.eval().targetAccuracy() > 0 ? String.format(Locale.ROOT, ", target accuracy %.2f%%", 100 * s.eval().targetAccuracy()) : "");
        int n = schedule.initialNodes();
        line(b, "bytes per round with the %d initial nodes (round 1, as the metrics count them):", n);
        for (Algorithm a : s.run().algorithms()) {
            RoundBytes.Round r;
            if (a.isSpsa()) {
                int width = ByteCodec.named(a.codec(s.spsa().codec())).width();
                r = RoundBytes.spsa(1, n, s.spsa().samples(), width, s.spsa().lr(), s.spsa().roundDeadline().toMillis());
            } else {
                boolean fedspeed = a == Algorithm.FEDSPEED;
                double participation = fedspeed ? s.fedspeed().participation() : s.fedavg().participation();
                int participants = Math.max(1, (int) Math.round(participation * n));
                long deadline = (fedspeed ? s.fedspeed().roundDeadline() : s.fedavg().roundDeadline()).toMillis();
                r = RoundBytes.federated(1, participants, d, fedspeed ? s.fedspeed().lr() : s.fedavg().lr(), deadline);
            }
            line(b, "  %-9s up %10s  down %10s  total %10s per round, %10s for %d rounds", a.id(), Bytes.human(r.up()), Bytes.human(r.down()),
                    Bytes.human(r.total()), Bytes.human(r.total() * s.budget().rounds()), s.budget().rounds());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

}
