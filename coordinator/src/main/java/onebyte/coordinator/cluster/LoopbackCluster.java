package onebyte.coordinator.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.Subscribe;
import akka.japi.function.Function;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import onebyte.core.model.Evaluation;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.ClusterConfig;
import onebyte.node.engine.Workload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the embedded launchers (SPSA and federated) and their coordinators share. */
public final class LoopbackCluster {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackCluster.class);

    private LoopbackCluster() {}

    /**
     * An ActorSystem on a free loopback port whose guardian spawns {@code coordinator} as "coordinator"; it joins itself.
     * Like the embedded nodes it shares the JVM and skips coordinated shutdown when terminated: an embedded cluster is
     * torn down as a whole, and leaving it gracefully would wait (10 s by default) for a convergence that the already
     * terminated nodes can no longer give.
     */
    public static ActorSystem<Void> startCoordinator(String host, Behavior<Object> coordinator) {
        ActorSystem<Void> sys = ActorSystem.create(Behaviors.setup(ctx -> {
            ctx.spawn(coordinator, "coordinator");
            return Behaviors.empty();
        }), ClusterConfig.SYSTEM_NAME, ClusterConfig.build(host, 0, "", List.of(), true));
        Cluster c = Cluster.get(sys);
        c.manager().tell(Join.create(c.selfMember().address()));
        return sys;
    }

    /** The run's result, or a TimeoutException naming the run after {@code timeout}. */
    public static RunResult await(CompletableFuture<RunResult> result, java.time.Duration timeout, String run) throws Exception {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new java.util.concurrent.TimeoutException("run " + run + " did not finish within " + timeout);
        }
    }

    /** Terminates the systems (the coordinator first, so no SBR decisions are taken while nodes go away) and waits up to 20 s each. */
    public static void terminateAll(List<ActorSystem<?>> systems) {
        for (ActorSystem<?> s : systems) {
            s.terminate();
        }
        for (ActorSystem<?> s : systems) {
            try {
                s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("ActorSystem {} did not terminate in time: {}", s.address(), e.toString());
            }
        }
    }

    /** Terminates a node's ActorSystem abruptly (embedded nodes skip coordinated shutdown: no leave). */
    public static CompletableFuture<Void> crash(ActorSystem<?> sys, int nodeId) {
        if (sys == null) {
            LOG.warn("churn: no node {} to crash", nodeId);
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("churn: crashing node {} (ActorSystem terminated, no leave)", nodeId);
        sys.terminate();
        return sys.getWhenTerminated().toCompletableFuture().thenApply(d -> null);
    }

    /** Tells a node's guardian to leave gracefully; {@code left} completes when the coordinator acknowledged it. */
    public static CompletableFuture<Void> leave(ActorSystem<Object> sys, int nodeId, Object leaveCommand, CompletableFuture<Void> left) {
        if (sys == null) {
            LOG.warn("churn: no node {} to leave", nodeId);
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("churn: node {} leaves", nodeId);
        sys.tell(leaveCommand);
        return left;
    }

    /** Subscribes a coordinator to member and reachability events through these adapters. */
    public static void subscribe(ActorContext<Object> ctx, Function<ClusterEvent.MemberEvent, Object> members,
                                 Function<ClusterEvent.ReachabilityEvent, Object> reachability) {
        Cluster cluster = Cluster.get(ctx.getSystem());
        cluster.subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberEvent.class, members), ClusterEvent.MemberEvent.class));
        cluster.subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, reachability), ClusterEvent.ReachabilityEvent.class));
    }

    /** Eval loss and accuracy of θ on the workload's whole evaluation set (in chunks, see {@link Evaluation}). */
    public static double[] evaluate(Model m, Workload w, ParameterVector theta) {
        Evaluation e = Evaluation.of(m, w.evalSet(), theta);
        return new double[] {e.loss(), e.accuracy()};
    }
}
