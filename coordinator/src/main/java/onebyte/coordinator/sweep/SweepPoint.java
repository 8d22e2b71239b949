package onebyte.coordinator.sweep;

import java.nio.file.Path;
import java.util.List;
import onebyte.coordinator.metrics.RunSummary;

/**
 * One measured point of a sweep: the overrides it set, the model's parameter count d, its run
 * directory and the run's summary (every algorithm's bytes-to-target, or none when the target
 * was not reached within the budget).
 */
public record SweepPoint(int index, List<String> overrides, long d, Path runDir, RunSummary summary) {
    /** The summary of {@code algorithm} at this point, or null when it did not run. */
    public RunSummary.AlgorithmSummary algorithm(String algorithm) {
        return summary.algorithms().stream().filter(a -> a.algorithm().equals(algorithm)).findFirst().orElse(null);
    }

    /** Bytes {@code algorithm} needed to reach the target; null when it did not reach it (or did not run). */
    public Long bytesToTarget(String algorithm) {
        RunSummary.AlgorithmSummary a = algorithm(algorithm);
        return a == null ? null : a.bytesToTarget();
    }
}
