package onebyte.coordinator.cluster;

import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.ClusterEvent;
import java.util.Set;

/**
 * The messages a coordinator (SPSA's {@link Coordinator}, the federated {@code FedCoordinator})
 * sends itself besides wire messages and finished jobs: a round's deadline, a churn hook that
 * completed, a retry to open a round, and the cluster's member and reachability events.
 */
public final class CoordinatorSignals {
    private CoordinatorSignals() {}

    /** Round {@code round}'s deadline passed. */
    public record Deadline(long round) {}

    /**
     * The churn hook before round {@code round}'s member set ({@code step} 1, {@link RunListener#beforeRound})
     * or before its RoundOpen (step 2, {@link RunListener#beforeOpen}) completed, with {@code error} if it failed.
     */
    public record HookDone(long round, int step, Throwable error) {}

    /** Try again to open round {@code round} (it had no live members). */
    public record RetryOpen(long round) {}

    /** A resumed coordinator waited long enough for its members to come back ({@link RestoreAdmission}). */
    public record RejoinWaitOver() {}

    /** Time to look whether the run was interrupted ({@link RunInterrupt}). */
    public record InterruptCheck() {}

    public record MemberChange(ClusterEvent.MemberEvent event) {}

    public record Reachability(ClusterEvent.ReachabilityEvent event) {}

    /** Subscribes the coordinator to the cluster's member and reachability events. */
    public static void subscribe(ActorContext<Object> ctx) {
        LoopbackCluster.subscribe(ctx, MemberChange::new, Reachability::new);
    }

    /** Runs the listener's {@link RunListener#beforeRound} hook; its completion comes back as step 1 of {@link HookDone}. */
    public static void beforeRound(ActorContext<Object> ctx, RunListener listener, long round, double startS) {
        ctx.pipeToSelf(listener.beforeRound(round, startS), (ok, err) -> new HookDone(round, 1, err));
    }

    /** Runs the listener's {@link RunListener#beforeOpen} hook; its completion comes back as step 2 of {@link HookDone}. */
    public static void beforeOpen(ActorContext<Object> ctx, RunListener listener, long round, double startS, Set<Integer> members) {
        ctx.pipeToSelf(listener.beforeOpen(round, startS, members), (ok, err) -> new HookDone(round, 2, err));
    }
}
