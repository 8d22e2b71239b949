package onebyte.coordinator.cluster;

import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.proto.RunState;

/**
 * The running totals of a cluster run, whatever the algorithm: its virtual seconds, bytes_cum and
 * forward_passes_cum (SPSA's forward passes, the federated gradient passes) after the rounds closed
 * so far (a resumed run's from its saved state); each closed round's {@link RoundTally} adds to
 * them, and the budget is checked against them.
 */
public final class RunTotals {
    private double virtualSeconds;
    private long bytes;
    private long passes;

    public double virtualSeconds() {
        return virtualSeconds;
    }

    public long bytes() {
        return bytes;
    }

    public long passes() {
        return passes;
    }

    /** A resumed run goes on from the totals {@code st} saved. */
    public void restore(RunState st) {
        virtualSeconds = st.getVirtualTimeS();
        bytes = st.getBytesCum();
        passes = st.getForwardPassesCum();
    }

    /** Where {@code budget} stops the run once round {@code r} closes with {@code t}; null: it goes on. */
    public RunBudget.Stop stopAfter(RunBudget budget, long r, RoundTally t) {
        return budget.reached(r + 1, virtualSeconds + t.seconds(), bytes + t.up() + t.down());
    }

    /** Round {@code t} closed. */
    public void add(RoundTally t) {
        virtualSeconds += t.seconds();
        bytes += t.up() + t.down();
        passes += t.passes();
    }

    /** Why the run stopped after {@code rounds} rounds, as {@code budget} describes it. */
    public String describe(RunBudget budget, RunBudget.Stop stop, long rounds) {
        return budget.describe(stop, rounds, virtualSeconds, bytes);
    }

    /**
     * The row of round {@code r} of algorithm {@code algorithm} in run {@code runId}, once {@link #add added}:
     * {@code wall} seconds since round 0 opened, its member, planned and contributed counts, {@code t}'s
     * churn, loss and bytes, the evaluation ({@code eval}: loss, accuracy), whether replicas agree, its lr.
     */
    public MetricsRow row(String runId, String algorithm, long r, double wall, int members, int planned, int contributed,
                          RoundTally t, double[] eval, Boolean agree, double lr, long seed) {
        return new MetricsRow(runId, algorithm, r, virtualSeconds, wall, members, planned, contributed, t.joined(), t.left(),
                t.crashed(), t.trainLoss(), eval[0], eval[1], t.up(), t.down(), bytes, passes, agree, lr, seed);
    }
}
