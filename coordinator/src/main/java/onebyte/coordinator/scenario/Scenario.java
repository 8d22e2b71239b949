package onebyte.coordinator.scenario;

import onebyte.core.algorithm.Algorithm;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.core.fed.FedSpeedServer;

/**
 * A validated scenario: everything one run (or comparison) needs, typed. Built only by
 * {@link ScenarioLoader}, so every value here has passed its range checks. The resolved HOCON
 * is kept in {@link #resolved} and written into the run directory.
 */
public record Scenario(
        Path file,
        String resolved,
        Run run,
        ModelSection model,
        Pretrain pretrain,
        Data data,
        Nodes nodes,
        Budget budget,
        Eval eval,
        Spsa spsa,
        FedSpeed fedspeed,
        FedAvg fedavg,
        Churn churn,
        Clock clock,
        Sweep sweep) {

    /** {@code checkpointEvery}: rounds between the saved states a resume starts from (0 = none). */
    public record Run(String id, long seed, Path outputDir, List<Algorithm> algorithms, long checkpointEvery) {}

    public record ModelSection(String kind, List<Integer> hidden, int layers, int heads, int width, int context, Path checkpoint) {}

    public record Pretrain(int steps, double lr, int batchSize) {}

    /**
     * The data; {@code files} only for kind csv or text (null otherwise). {@code shards}: how many
     * shards the target pool is cut into, 0 = one per node the run ever admits
     * ({@code experiment.ShardPlan}); {@code reuseShards}: the scenario allows fewer shards than nodes.
     */
    public record Data(String kind, int features, int classes, double shift, int trainSize, int evalSize,
                       Path path, String labelColumn, String partition, int shards, boolean reuseShards, Files files) {
        /** True for the user's own files (kind csv or text). */
        public boolean fromFiles() {
            return files != null;
        }
    }

    /** The keys of kind csv / text (scenario-defaults.conf, data section). */
    public record Files(String format, String textColumn, String groupColumn, List<String> groups, Path sourcePath,
                        List<String> sourceGroups, double sourceFraction, double evalFraction, int hashedFeatures, int maxTokens) {}

    public record NodeClass(String name, double uplinkMbps, double downlinkMbps, double latencyMs) {}

    public record Nodes(int initial, String initialClass, Map<String, NodeClass> classes) {}

    /** When every algorithm's run stops: rounds, virtual seconds, bytes on the wire (0 = no limit), whichever first. */
    public record Budget(long rounds, double virtualSeconds, long bytes) {}

    /**
     * The virtual clock's unit costs (the clock section): {@code measured} = timed at the start of
     * each run on this machine, else the fixed values. Values in the scenario's units: µs per
     * forward pass and per gradient pass over one minibatch, ns per generated direction element.
     */
    public record Clock(boolean measured, double forwardUs, double gradientUs, double elementNs) {
        /** Significant digits a measured cost is written with (and then used with, so a rerun with them matches). */
        public static final int MEASURED_DIGITS = 4;

        /** The unit costs in seconds. */
        public VirtualClock.WorkCosts costs() {
            return new VirtualClock.WorkCosts(forwardUs / 1e6, gradientUs / 1e6, elementNs / 1e9);
        }

        /** Measured costs in the scenario's units, rounded to {@link #MEASURED_DIGITS} significant digits. */
        public static Clock fromMeasurement(VirtualClock.WorkCosts c) {
            return new Clock(true, round(c.secondsPerForward() * 1e6), round(c.secondsPerGradient() * 1e6),
                    round(c.secondsPerGeneratedElement() * 1e9));
        }

        private static double round(double v) {
            return new BigDecimal(v).round(new MathContext(MEASURED_DIGITS)).doubleValue();
        }

        /** The overrides (key=value) that run a scenario with exactly these costs, fixed. */
        public List<String> fixedSettings() {
            return List.of("clock.costs=fixed", "clock.forward-us=" + forwardUs, "clock.gradient-us=" + gradientUs,
                    "clock.element-ns=" + elementNs);
        }

        /** {@link #fixedSettings} as command-line options: "--set clock.costs=fixed --set ...". */
        public String fixedOverrides() {
            return "--set " + String.join(" --set ", fixedSettings());
        }

        /** "41.23 µs per forward pass, ..." for the console and logs. */
        public String describe() {
            return String.format(Locale.ROOT, "%s µs per forward pass, %s µs per gradient pass, %s ns per direction element",
                    forwardUs, gradientUs, elementNs);
        }
    }

    /** {@code federatedEvery}: the interval of fedspeed/fedavg runs (0 in the file: {@code every}, resolved here). */
    public record Eval(int every, double targetAccuracy, int federatedEvery) {}

    public record Spsa(double eps, double lr, double lrDecay, int samples, String codec, String distribution, int chunkSize, int batchSize,
                       Duration roundDeadline, ChurnEvent.Sync joinSync, double weightDecay, boolean sharedRegeneration) {}

    /** @param server the server form, SPEC §4: paper (mean of the returned x̂_i) or simulator (FL-Simulator's, all duals) */
    public record FedSpeed(int localSteps, double lr, double lrDecay, double prox, double rho, double alpha,
                           double participation, int batchSize, Duration roundDeadline, FedSpeedServer.Form server) {}

    public record FedAvg(int localSteps, double lr, double lrDecay, double participation, int batchSize, Duration roundDeadline) {}

    public record RandomChurn(double intervalS, double joinProbability, double leaveProbability, double crashProbability,
                              int minMembers, int maxMembers, double untilS) {
        public boolean enabled() {
            return intervalS > 0 && (joinProbability > 0 || leaveProbability > 0 || crashProbability > 0);
        }
    }

    /** Churn as written; {@link ChurnSchedule#resolve} turns it into one concrete event list. */
    public record Churn(List<ChurnEvent> events, RandomChurn random, Path trace) {}

    /** The points of {@code onebyte sweep}: each the {@code key=value} overrides it sets on top of the scenario. */
    public record Sweep(List<List<String>> points) {}

    /**
     * This scenario with other clock costs, its resolved text saying so: a run that measured its
     * costs records them here, so its run directory states the costs its virtual times used.
     */
    public Scenario withClock(Clock c) {
        return new Scenario(file, ScenarioLoader.withClock(resolved, c), run, model, pretrain, data, nodes, budget, eval, spsa,
                fedspeed, fedavg, churn, c, sweep);
    }
}
