package onebyte.coordinator.cluster;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import onebyte.coordinator.metrics.MetricsRow;

/** In-JVM callbacks of the coordinator (churn driver, progress printer, tests). Called on the coordinator's thread. */
public interface RunListener {
    /**
     * Round {@code round} is next and starts at virtual time {@code startS}; its member set is
     * fixed when the stage completes (joins and leaves go here).
     */
    default CompletionStage<Void> beforeRound(long round, double startS) {
        return CompletableFuture.completedFuture(null);
    }

    /** Round {@code round} has its member set; the coordinator broadcasts RoundOpen when the stage completes. */
    default CompletionStage<Void> beforeOpen(long round, double startS, Set<Integer> members) {
        return CompletableFuture.completedFuture(null);
    }

    /** SPSA: round {@code commit.getRound()} closed with this commit (before it is applied and its row written). */
    default void committed(onebyte.proto.Commit commit) {}

    /** A round was closed, committed, applied by the coordinator and measured. */
    default void roundClosed(MetricsRow row, RoundReport report) {}

    /**
     * Rounds 0 .. {@code nextRound} − 1 are done and the cluster is at a clean boundary (every live
     * node took part in the last round): {@code state} builds the coordinator's part of a
     * {@link onebyte.proto.RunState} of this moment (call it now, on the coordinator's thread, or
     * not at all: it copies the model).
     */
    default void atBoundary(long nextRound, java.util.function.Supplier<onebyte.proto.RunState.Builder> state) {}

    /** A node finished its join (or resync). */
    default void nodeSynced(RunResult.JoinRecord record) {}

    /** A node's leave was acknowledged; it is in no later round. */
    default void nodeLeft(int nodeId) {}

    /** The run is over. */
    default void finished(RunResult result) {}

    /**
     * Details of a round beyond the metrics row: wall seconds from RoundOpen to close, the slowest
     * contributor's measured SPSA compute seconds (their difference is the round overhead), the
     * coordinator's θ_{round+1} hash (first 8 bytes of SHA-256) and each contributor's hash check.
     */
    record RoundReport(long round, Set<Integer> members, Set<Integer> contributors, boolean closedByDeadline,
                       double wallSeconds, double slowestComputeSeconds, long replicaHash,
                       java.util.Map<Integer, Boolean> hashAgreement) {}

    /** Calls several listeners in order; beforeOpen waits for all stages. */
    static RunListener all(RunListener... ls) {
        return new RunListener() {
            @Override
            public CompletionStage<Void> beforeRound(long round, double startS) {
                CompletableFuture<?>[] fs = new CompletableFuture<?>[ls.length];
                for (int i = 0; i < ls.length; i++) {
                    fs[i] = ls[i].beforeRound(round, startS).toCompletableFuture();
                }
                return CompletableFuture.allOf(fs);
            }

            @Override
            public CompletionStage<Void> beforeOpen(long round, double startS, Set<Integer> members) {
                CompletableFuture<?>[] fs = new CompletableFuture<?>[ls.length];
                for (int i = 0; i < ls.length; i++) {
                    fs[i] = ls[i].beforeOpen(round, startS, members).toCompletableFuture();
                }
                return CompletableFuture.allOf(fs);
            }

            @Override
            public void nodeLeft(int nodeId) {
                for (RunListener l : ls) l.nodeLeft(nodeId);
            }

            @Override
            public void committed(onebyte.proto.Commit commit) {
                for (RunListener l : ls) l.committed(commit);
            }

            @Override
            public void roundClosed(MetricsRow row, RoundReport report) {
                for (RunListener l : ls) l.roundClosed(row, report);
            }

            @Override
            public void nodeSynced(RunResult.JoinRecord record) {
                for (RunListener l : ls) l.nodeSynced(record);
            }

            @Override
            public void atBoundary(long nextRound, java.util.function.Supplier<onebyte.proto.RunState.Builder> state) {
                for (RunListener l : ls) l.atBoundary(nextRound, state);
            }

            @Override
            public void finished(RunResult result) {
                for (RunListener l : ls) l.finished(result);
            }
        };
    }
}
