package onebyte.coordinator.bench;

import java.util.ArrayList;
import java.util.List;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.metrics.MetricsRow;

/**
 * A listener that snapshots {@link BenchProbe} when round {@code warmup − 1} closes and when round
 * {@code warmup + measured − 1} closes, and keeps the metrics rows of the rounds in between: the
 * measured window is {@code measured} whole rounds, close to close, after a warm-up (JIT, buffers,
 * Artery compression tables) and before the final round (which evaluates).
 */
final class RoundWindow implements RunListener {
    private final int warmup;
    private final int measured;
    private volatile BenchProbe.Snapshot start;
    private volatile BenchProbe.Snapshot end;
    private final List<MetricsRow> rows = new ArrayList<>();
    private volatile long lastProgressNanos = System.nanoTime();

    RoundWindow(int warmup, int measured) {
        if (warmup < 1 || measured < 1) {
            throw new IllegalArgumentException("warm-up and measured rounds must be >= 1");
        }
        this.warmup = warmup;
        this.measured = measured;
    }

    /** Rounds a run needs: warm-up, measured, and one final round. */
    long rounds() {
        return warmup + measured + 1L;
    }

    @Override
    public void nodeSynced(onebyte.coordinator.cluster.RunResult.JoinRecord record) {
        lastProgressNanos = System.nanoTime();
    }

    @Override
    public void roundClosed(MetricsRow row, RoundReport report) {
        lastProgressNanos = System.nanoTime();
        long r = row.round();
        if (r == warmup - 1) {
            start = BenchProbe.snapshot();
        } else if (r >= warmup && r < warmup + measured) {
            synchronized (rows) {
                rows.add(row);
            }
            if (r == warmup + measured - 1) {
                end = BenchProbe.snapshot();
            }
        }
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

    int measured() {
        return measured;
    }

    /** Mean over the window of bytes up per member per round. */
    double bytesUpPerNode() {
        return rows().stream().mapToDouble(r -> (double) r.bytesUp() / r.members()).average().orElse(Double.NaN);
    }

    double bytesDownPerNode() {
        return rows().stream().mapToDouble(r -> (double) r.bytesDown() / r.members()).average().orElse(Double.NaN);
    }
}
