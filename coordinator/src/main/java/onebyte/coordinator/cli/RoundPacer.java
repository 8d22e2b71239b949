package onebyte.coordinator.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import onebyte.coordinator.cluster.RunListener;

/**
 * {@code onebyte coordinator --round-pace D}: round r+1 opens no sooner than D of wall time after
 * round r began (the coordinator's {@link RunListener#beforeRound} hook waits out the rest). For
 * runs watched or churned by hand, e.g. in containers, where a run of fast rounds would be over
 * before a {@code docker kill} lands. Only wall time changes: rounds, bytes, virtual time and θ
 * are those of an unpaced run with the same membership history.
 */
final class RoundPacer implements RunListener {
    private final long paceNanos;
    private long lastStartNanos;
    private boolean first = true;

    RoundPacer(Duration pace) {
        this.paceNanos = pace.toNanos();
    }

    @Override
    public CompletionStage<Void> beforeRound(long round, double startS) {
        long now = System.nanoTime();
        long wait = first ? 0 : lastStartNanos + paceNanos - now;
        first = false;
        lastStartNanos = Math.max(now, now + wait);
        if (wait <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS));
    }
}
