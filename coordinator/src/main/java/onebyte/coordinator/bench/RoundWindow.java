package onebyte.coordinator.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;

/**
 * A listener that picks a point's measured window: it snapshots {@link BenchProbe} at the close of
 * the first round that is at least round {@code warmup − 1} and comes at least
 * {@link #WARMUP_SECONDS} after the first round closed (JIT, Artery compression tables, and the
 * cluster's own gossip while N members join, which takes seconds at N = 16–32), then again once at
 * least {@code measured} further rounds have closed and at least {@link #MIN_MEASURED_SECONDS} have
 * passed. It keeps the metrics rows of the measured rounds; {@link #done()} completes at the end,
 * and the run is then stopped (its round budget is only a cap).
 */
final class RoundWindow implements RunListener {
    static final double WARMUP_SECONDS = 3;
    static final double MIN_MEASURED_SECONDS = 2;
    /** Round budget of a bench run: the window ends it long before. */
    static final long ROUND_CAP = 1_000_000;

    private final int warmup;
    private final int measured;
    /** {@link #WARMUP_SECONDS} unless the system property {@code onebyte.bench.warmup-s} says otherwise (tests: 0). */
    private final double warmupSeconds = seconds("onebyte.bench.warmup-s", WARMUP_SECONDS);
    /** {@link #MIN_MEASURED_SECONDS} unless {@code onebyte.bench.measured-s} says otherwise (tests: 0). */
    private final double measuredSeconds = seconds("onebyte.bench.measured-s", MIN_MEASURED_SECONDS);
    private volatile BenchProbe.Snapshot start;
    private volatile BenchProbe.Snapshot end;
    private volatile long firstCloseNanos = -1;
    private final List<MetricsRow> rows = new ArrayList<>();
    private volatile long lastProgressNanos = System.nanoTime();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    RoundWindow(int warmup, int measured) {
        if (warmup < 1 || measured < 1) {
            throw new IllegalArgumentException("warm-up and measured rounds must be >= 1");
        }
        this.warmup = warmup;
        this.measured = measured;
    }

    private static double seconds(String property, double otherwise) {
        String v = System.getProperty(property);
        return v == null ? otherwise : Double.parseDouble(v);
    }

    /** A new window with the same settings (for a restarted point). */
    RoundWindow fresh() {
        return new RoundWindow(warmup, measured);
    }

    @Override
    public void nodeSynced(RunResult.JoinRecord record) {
        lastProgressNanos = System.nanoTime();
    }

    @Override
    public void roundClosed(MetricsRow row, RoundReport report) {
        long now = System.nanoTime();
        lastProgressNanos = now;
        if (firstCloseNanos < 0) {
            firstCloseNanos = now;
        }
        if (start == null) {
            if (row.round() >= warmup - 1 && (now - firstCloseNanos) / 1e9 >= warmupSeconds) {
                start = BenchProbe.snapshot();
            }
            return;
        }
        if (end != null) {
            return;
        }
        int n;
        synchronized (rows) {
            rows.add(row);
            n = rows.size();
        }
        if (n >= measured && (now - start.nanoTime()) / 1e9 >= measuredSeconds) {
            end = BenchProbe.snapshot();
            done.complete(null);
        }
    }

    /** Completes when the measured window has closed. */
    CompletableFuture<Void> done() {
        return done;
    }

    /** Seconds since a node last synced or a round last closed. */
    double secondsSinceProgress() {
        return (System.nanoTime() - lastProgressNanos) / 1e9;
    }

    /** Counters over the measured rounds. */
    BenchProbe.Snapshot delta() {
        if (start == null || end == null) {
            throw new IllegalStateException("the run ended before its measured window closed");
        }
        return end.minus(start);
    }

    List<MetricsRow> rows() {
        synchronized (rows) {
            return List.copyOf(rows);
        }
    }

    /** Rounds in the measured window. */
    int measured() {
        return rows().size();
    }

    /** Mean over the window of bytes up per member per round. */
    double bytesUpPerNode() {
        return rows().stream().mapToDouble(r -> (double) r.bytesUp() / r.members()).average().orElse(Double.NaN);
    }

    double bytesDownPerNode() {
        return rows().stream().mapToDouble(r -> (double) r.bytesDown() / r.members()).average().orElse(Double.NaN);
    }
}
