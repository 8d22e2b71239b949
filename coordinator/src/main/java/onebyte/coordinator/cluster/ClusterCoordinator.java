package onebyte.coordinator.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.WireStats;
import org.slf4j.Logger;

/**
 * What a cluster run's coordinator actor is whatever the algorithm (SPSA's {@link Coordinator},
 * the federated {@code FedCoordinator}): its actor context and timers, where its rows and
 * callbacks go, its compute jobs, the nodes it admitted, its bytes, the tally of the round in
 * progress and the rows so far. It is subscribed to the cluster's member events and starts with
 * {@link #load}; every message goes to {@link #onMessage}.
 */
public abstract class ClusterCoordinator<M extends AdmittedNode> {
    protected final ActorContext<Object> ctx;
    protected final TimerScheduler<Object> timers;
    protected final MetricsSink sink;
    protected final RunListener listener;
    protected final CompletableFuture<RunResult> result;
    protected final Logger log;
    protected final Rejections rejections;
    protected final ComputeJobs jobs;
    protected final MemberRoster<M> roster = new MemberRoster<>();
    protected final TrafficLedger ledger = new TrafficLedger();
    protected final RoundTally.Counting counting = new RoundTally.Counting();
    protected final List<MetricsRow> rows = new ArrayList<>();

    /** {@code owner} names the coordinator in the log ("coordinator", "fed coordinator"). */
    protected ClusterCoordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, MetricsSink sink, RunListener listener,
                                 CompletableFuture<RunResult> result, String owner) {
        this.ctx = ctx;
        this.timers = timers;
        this.sink = sink;
        this.listener = listener;
        this.result = result;
        this.log = ctx.getLog();
        this.jobs = new ComputeJobs(ctx, owner, result);
        this.rejections = WireStats.get(ctx.getSystem()).rejections();
    }

    /** The behaviour of the coordinator {@code make} builds; spawn it as "coordinator" under the user guardian (nodes find it by path). */
    protected static Behavior<Object> behavior(
            BiFunction<ActorContext<Object>, TimerScheduler<Object>, ClusterCoordinator<?>> make) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ClusterCoordinator<?> c = make.apply(ctx, timers);
            CoordinatorSignals.subscribe(ctx);
            c.load();
            return Behaviors.receive(Object.class).onAnyMessage(m -> {
                c.onMessage(m);
                return Behaviors.same();
            }).build();
        }));
    }

    /** Starts loading the run (a compute job); nodes that ask to join meanwhile wait. */
    protected abstract void load();

    protected abstract void onMessage(Object m);

    /** Whether the node has left or crashed for good (it is sent nothing more). */
    protected abstract boolean gone(M m);

    /** Marks the node as gone for good. */
    protected abstract void markGone(M m);

    /** Sends {@code msg} to every node not gone, in admission order. */
    protected final void sendToLive(GeneratedMessage msg) {
        for (M m : roster.all()) {
            if (!gone(m)) {
                ledger.send(m, msg);
            }
        }
    }

    /** Acknowledges a node's leave (once): it is gone and counted as left in the round in progress. */
    protected final void ackLeave(M m, GeneratedMessage ack) {
        if (m.leaveAcked) {
            return;
        }
        m.leaveAcked = true;
        ledger.send(m, ack);
        markGone(m);
        counting.left();
        listener.nodeLeft(m.id);
    }

    /** A closed round's row: kept for the result, written to the sink, and reported to the listener with its details. */
    protected final void recordRow(MetricsRow row, RunListener.RoundReport report) {
        rows.add(row);
        if (sink != null) {
            sink.write(row);
        }
        listener.roundClosed(row, report);
    }
}
