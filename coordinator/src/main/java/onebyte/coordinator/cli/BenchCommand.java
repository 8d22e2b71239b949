package onebyte.coordinator.cli;

import onebyte.core.algorithm.Algorithm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import onebyte.coordinator.bench.Bench;
import onebyte.coordinator.bench.BenchOutput;
import onebyte.coordinator.bench.BenchPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onebyte bench}: cost per round and its parts, scaling with nodes and model size, memory
 * per node, wire bytes per node and time to a target accuracy at three link rates, for SPSA and
 * FedSpeed on the embedded cluster. Writes bench.json, bench.csv and two plots into {@code --out}.
 * {@code onebyte bench transformer} measures the transformer alone ({@link TransformerBenchCommand}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {TransformerBenchCommand.class, MicroBenchCommands.Engine.class, MicroBenchCommands.Models.class,
        MicroBenchCommands.Regeneration.class},
        description = "Measure round time and its parts, memory, wire bytes and time to target for SPSA and FedSpeed "
                + "at several cluster and model sizes; writes bench.csv, bench.json and plots.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "bench-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "Tiny sizes and few rounds (a smoke test, ~1.5 minutes); other flags still apply on top.")
    boolean quick;

    @Option(names = "--nodes", split = ",", description = "Cluster sizes N (default 2,4,8,16,32; quick: 2,3).")
    List<Integer> nodes;

    @Option(names = "--params", split = ",", description = "Model sizes d, e.g. 100K,1M,4M (default, unless --model-of is given; quick: 2K,6K).")
    List<String> params;

    @Option(names = "--model-of", paramLabel = "SCENARIO", description = "Also run the scaling points on this scenario's model and "
            + "data, e.g. scenarios/minilm-spam.conf (its SPSA settings, no churn, no pretraining; repeatable). Without --params only these run.")
    List<Path> modelsOf = new java.util.ArrayList<>();

    @Option(names = "--algorithms", split = ",", defaultValue = "spsa,fedspeed",
            description = "spsa and/or fedspeed (default: ${DEFAULT-VALUE}).")
    List<String> algorithms;

    @Option(names = "--parts", split = ",", defaultValue = "scaling,quickstart,ttt",
            description = "What to measure: scaling (the N × d table), quickstart (the 16-node goal), ttt (time to target) "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> parts;

    @Option(names = "--rounds", description = "Measured SPSA rounds per point, at least (default 3; quick 2; and at least 2 s), after the warm-up.")
    Integer measured;

    @Option(names = "--warmup", description = "Warm-up rounds per point, at least (default 2; quick 1; and at least 3 s after the first round).")
    Integer warmup;

    @Option(names = "--fed-rounds", description = "Measured FedSpeed rounds per point, at least (default 2; quick 1; and at least 2 s), after the warm-up.")
    Integer fedMeasured;

    @Option(names = "--fed-max-nd", description = "Skip FedSpeed points with N·d above this (default 16000000; 0 = run all).")
    Long fedMaxNd;

    @Option(names = "--fed-local-steps", defaultValue = "10", description = "FedSpeed K (default: ${DEFAULT-VALUE}).")
    int fedLocalSteps;

    @Option(names = "--scenario", defaultValue = "scenarios/quickstart.conf",
            description = "Scenario whose task is used for the quickstart goal and time to target (default: ${DEFAULT-VALUE}).")
    Path scenario;

    @Option(names = "--quickstart-nodes", description = "N of the quickstart rounds-per-second point (default 16; quick 4).")
    Integer quickstartNodes;

    @Option(names = "--quickstart-rounds", description = "Measured rounds of that point, at least (default 40; quick 3).")
    Integer quickstartRounds;

    @Option(names = "--ttt-nodes", defaultValue = "4", description = "Nodes of the time-to-target runs (default: ${DEFAULT-VALUE}).")
    int tttNodes;

    @Option(names = "--ttt-spsa-rounds", description = "SPSA rounds of the time-to-target run (default 300; quick 20).")
    Long tttSpsaRounds;

    @Option(names = "--ttt-fed-rounds", description = "FedSpeed rounds of the time-to-target run (default 40; quick 4).")
    Long tttFedRounds;

    @Option(names = "--ttt-eval-every", description = "Evaluation interval of the time-to-target runs (default 10; quick 2).")
    Integer tttEvalEvery;

    @Option(names = "--ttt-set", paramLabel = "KEY=VALUE",
            description = "Scenario override for the time-to-target runs only, e.g. --ttt-set model.hidden=[128,128] (repeatable).")
    List<String> tttOverrides = new java.util.ArrayList<>();

    @Option(names = "--target-accuracy", description = "Target accuracy (default: the lower of the two algorithms' best).")
    Double target;

    @Option(names = "--latency-ms", defaultValue = "10", description = "Latency per round in virtual times (default: ${DEFAULT-VALUE}).")
    double latencyMs;

    @Option(names = "--seed", defaultValue = "42", description = "Run seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--shared-regeneration", split = ",", defaultValue = "on",
            description = "SPSA scaling points with spsa.shared-regeneration on, off, or both (on,off: one row each, and"
                    + " speedup_vs_unshared on the on row) (default: ${DEFAULT-VALUE}).")
    List<String> sharing;

    @Override
    public Integer call() throws Exception {
        for (String a : algorithms) {
            if (!List.of(Algorithm.SPSA.id(), Algorithm.FEDSPEED.id()).contains(a)) {
                System.err.println("onebyte bench: unknown algorithm '" + a + "' (spsa, fedspeed)");
                return 2;
            }
        }
        for (String v : sharing) {
            if (!v.equals("on") && !v.equals("off")) {
                System.err.println("onebyte bench: --shared-regeneration expects on and/or off, got '" + v + "'");
                return 2;
            }
        }
        BenchPlan plan = new BenchPlan(
                nodes != null ? nodes : quick ? List.of(2, 3) : List.of(2, 4, 8, 16, 32),
                (params != null ? params : !modelsOf.isEmpty() ? List.<String>of() : quick ? List.of("2K", "6K") : List.of("100K", "1M", "4M")).stream()
                        .map(BenchPlan::parseSize).toList(),
                algorithms.contains(Algorithm.SPSA.id()), algorithms.contains(Algorithm.FEDSPEED.id()),
                or(warmup, quick ? 1 : 2), or(measured, quick ? 2 : 3), 1, or(fedMeasured, quick ? 1 : 2),
                fedMaxNd != null ? fedMaxNd : 16_000_000L, fedLocalSteps, scenario,
                or(quickstartNodes, quick ? 4 : 16), or(quickstartRounds, quick ? 3 : 40), tttNodes,
                tttSpsaRounds != null ? tttSpsaRounds : quick ? 20 : 300, tttFedRounds != null ? tttFedRounds : quick ? 4 : 40,
                or(tttEvalEvery, quick ? 2 : 10), target, latencyMs, seed, java.util.Set.copyOf(parts),
                tttOverrides, sharing.stream().distinct().map("on"::equals).toList(), modelsOf);
        Map<String, Object> doc;
        try {
            doc = new Bench(plan, System.out).run();
        } catch (java.io.IOException e) { // a footprint child that failed: say what it printed, once
            System.err.println("onebyte bench: " + e.getMessage());
            return 1;
        }
        BenchOutput.write(doc, out);
        System.out.println();
        BenchOutput.print(doc, System.out);
        System.out.println();
        System.out.println("written: " + out.resolve(BenchOutput.CSV).toAbsolutePath() + ", " + BenchOutput.JSON + ", "
                + BenchOutput.SCALING_PNG + ", " + BenchOutput.BYTES_PNG);
        return 0;
    }

    private static int or(Integer v, int dflt) {
        return v != null ? v : dflt;
    }
}
