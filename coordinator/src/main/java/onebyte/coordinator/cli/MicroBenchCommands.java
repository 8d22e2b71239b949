package onebyte.coordinator.cli;

import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.bench.micro.ModelBench;
import onebyte.coordinator.bench.micro.SharedRegenerationBench;
import onebyte.coordinator.bench.micro.SpsaEngineBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The micro-benchmarks of BENCHMARKS.md as subcommands of {@code onebyte bench}, so every table
 * there reruns from the jar: {@code engine} (JMH: direction generation and the fused update),
 * {@code models} (forward, SPSA step and memory per model), {@code regeneration} (a commit applied
 * by N replicas alone and shared).
 */
final class MicroBenchCommands {
    private MicroBenchCommands() {}

    /** The benchmarks' own argument form of a list: "1,2". */
    static String commas(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    @Command(name = "engine", mixinStandardHelpOptions = true,
            description = "SPSA engine (JMH, 1 fork): direction generation rate and the fused commit update at d = 2^20, "
                    + "with its ratio to the generation-bound limit (BENCHMARKS.md 'SPSA engine').")
    static final class Engine implements Callable<Integer> {
        @Option(names = "--warmup", defaultValue = "2", description = "Warm-up iterations (default: ${DEFAULT-VALUE}).")
        int warmup;
        @Option(names = "--iterations", defaultValue = "3", description = "Measurement iterations (default: ${DEFAULT-VALUE}).")
        int iterations;
        @Option(names = "--seconds", defaultValue = "1", description = "Seconds per iteration (default: ${DEFAULT-VALUE}).")
        int seconds;

        @Override
        public Integer call() throws Exception {
            SpsaEngineBench.main(new String[] {Integer.toString(warmup), Integer.toString(iterations), Integer.toString(seconds)});
            return 0;
        }
    }

    @Command(name = "models", mixinStandardHelpOptions = true,
            description = "Per model: forward time, one SPSA step in forward passes (Gaussian and Rademacher z, 1 and 2 estimator "
                    + "threads) and SPSA memory per replica against inference, fresh JVMs (BENCHMARKS.md 'Models').")
    static final class Models implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "3", description = "Seconds of alternating calls per model (default: ${DEFAULT-VALUE}).")
        int seconds;
        @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Estimator thread counts (default: ${DEFAULT-VALUE}).")
        List<Integer> threads;
        @Option(names = "--models", defaultValue = "all",
                description = "all | mlp (100K-4M MLPs at batch 64 and 256) | small (logreg, a 77K MLP, two transformers) "
                        + "| minilm (all-MiniLM-L6-v2 + 2-class head at 16 x 64 tokens) (default: ${DEFAULT-VALUE}).")
        String models;

        @Override
        public Integer call() throws Exception {
            ModelBench.main(new String[] {Integer.toString(seconds), commas(threads), models});
            return 0;
        }
    }

    @Command(name = "regeneration", mixinStandardHelpOptions = true,
            description = "One commit of N Gaussian contributions applied by N + 1 replicas of d parameters, each alone and "
                    + "through the shared regeneration; wall and CPU time per round, same bits checked (BENCHMARKS.md 'Run E').")
    static final class Regeneration implements Callable<Integer> {
        @Option(names = "--params", defaultValue = "999835", description = "d (default: ${DEFAULT-VALUE}, the 1M MLP of Run D).")
        int params;
        @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds per mode (default: ${DEFAULT-VALUE}).")
        int rounds;
        @Option(names = "--nodes", split = ",", defaultValue = "4,8,16,32", description = "N list (default: ${DEFAULT-VALUE}).")
        List<Integer> nodes;

        @Override
        public Integer call() throws Exception {
            SharedRegenerationBench.main(new String[] {Integer.toString(params), Integer.toString(rounds), commas(nodes)});
            return 0;
        }
    }
}
