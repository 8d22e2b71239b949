package onebyte.coordinator.scenario;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
        Churn churn) {

    public record Run(String id, long seed, Path outputDir, List<String> algorithms) {}

    public record ModelSection(String kind, List<Integer> hidden, int layers, int heads, int width, int context, Path checkpoint) {}

    public record Pretrain(int steps, double lr, int batchSize) {}

    public record Data(String kind, int features, int classes, double shift, int trainSize, int evalSize,
                       Path path, String labelColumn, String partition) {}

    public record NodeClass(String name, double uplinkMbps, double downlinkMbps, double latencyMs) {
        /** Seconds to move {@code bytes} up and down this class's links, plus one latency each way used. */
        public double transferSeconds(long bytesUp, long bytesDown) {
            return bytesUp * 8.0 / (uplinkMbps * 1e6) + bytesDown * 8.0 / (downlinkMbps * 1e6) + 2 * latencyMs / 1000.0;
        }
    }

    public record Nodes(int initial, String initialClass, Map<String, NodeClass> classes) {}

    public record Budget(long rounds, double virtualSeconds, long bytes) {}

    public record Eval(int every, double targetAccuracy) {}

    public record Spsa(double eps, double lr, int samples, String codec, String distribution, int chunkSize, int batchSize,
                       Duration roundDeadline, ChurnEvent.Sync joinSync, double weightDecay) {}

    public record FedSpeed(int localSteps, double lr, double lrDecay, double prox, double rho, double alpha,
                           double participation, int batchSize, Duration roundDeadline) {}

    public record FedAvg(int localSteps, double lr, double lrDecay, double participation, int batchSize, Duration roundDeadline) {}

    public record RandomChurn(double intervalS, double joinProbability, double leaveProbability, double crashProbability,
                              int minMembers, int maxMembers, double untilS) {
        public boolean enabled() {
            return intervalS > 0 && (joinProbability > 0 || leaveProbability > 0 || crashProbability > 0);
        }
    }

    /** Churn as written; {@link ChurnSchedule#resolve} turns it into one concrete event list. */
    public record Churn(List<ChurnEvent> events, RandomChurn random, Path trace) {}
}
