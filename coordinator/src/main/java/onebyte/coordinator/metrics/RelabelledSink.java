package onebyte.coordinator.metrics;

/**
 * Writes rows under the run id and algorithm name of a comparison: the cluster run only knows
 * its own settings, the comparison knows which of its algorithms this is.
 */
public final class RelabelledSink implements MetricsSink {
    private final MetricsSink target;
    private final String runId;
    private final String algorithm;

    public RelabelledSink(MetricsSink target, String runId, String algorithm) {
        this.target = target;
        this.runId = runId;
        this.algorithm = algorithm;
    }

    @Override
    public void write(MetricsRow r) {
        target.write(new MetricsRow(runId, algorithm, r.round(), r.virtualTimeS(), r.wallTimeS(), r.members(), r.planned(),
                r.contributed(), r.joined(), r.left(), r.crashed(), r.trainLoss(), r.evalLoss(), r.evalAccuracy(),
                r.bytesUp(), r.bytesDown(), r.bytesCum(), r.forwardPassesCum(), r.replicasAgree(), r.lr(), r.seed()));
    }

    /** Does not close the target: several algorithms share one run's files. */
    @Override
    public void close() {}
}
