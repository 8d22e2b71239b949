package onebyte.coordinator.metrics;

/**
 * Where per-round rows go. Implementations flush every row, so a killed run keeps every
 * completed round. Not thread-safe: one writer (the round sequencer) per sink.
 */
public interface MetricsSink extends AutoCloseable {
    void write(MetricsRow row);

    @Override
    void close();
}
