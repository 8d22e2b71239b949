package onebyte.node;

import akka.actor.ActorIdentity;
import akka.actor.Identify;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.typed.Cluster;
import com.google.protobuf.GeneratedMessage;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import onebyte.node.wire.MalformedFrame;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.Wire;
import onebyte.node.wire.WireSender;
import onebyte.node.wire.WireStats;
import org.slf4j.Logger;

/**
 * What every cluster member that talks to a coordinator has, whatever the algorithm: its actor
 * context and timers, the coordinator's reference, the serial job queue that keeps heavy work off
 * the actor thread (messages arriving meanwhile are handled in order afterwards), the per-system
 * rejection counters, the node id it was admitted under, the join request it repeats until it is
 * admitted, and the bytes it sent by message type. Subclasses handle wire messages in
 * {@link #onWire}, the local commands in {@link #onUp} and {@link #onLeaveNow}, and leave the
 * cluster with {@link #leaveCluster}.
 */
public abstract class MemberActor {
    /** Local command: leave gracefully (after the rounds this node is in, then leave the cluster). */
    public record LeaveNow() {}

    /** Sent to itself once the coordinator's actor is found: ask to be admitted. */
    private record Up() {}

    /** Sent to itself every second until the coordinator's actor answers an {@link Identify}. */
    private record FindCoordinator() {}

    private record RetryJoin() {}

    /** The timer of {@link FindCoordinator}: active until the coordinator's actor has answered. */
    private static final String FIND_TIMER = "find-coordinator";

    protected final ActorContext<Object> ctx;
    protected final TimerScheduler<Object> timers;
    protected final Logger log;
    protected final Rejections rejections;
    /** The node id the coordinator admitted this member under; -1 before. */
    protected int nodeId = -1;
    private final String owner;
    private ActorRef<Object> coordinator;
    private final SerialJobs jobs;
    private final Map<String, Long> bytesSent = new TreeMap<>();

    protected MemberActor(ActorContext<Object> ctx, TimerScheduler<Object> timers, String coordinatorPath, String owner) {
        this.ctx = ctx;
        this.timers = timers;
        this.log = ctx.getLog();
        this.owner = owner;
        this.coordinator = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(coordinatorPath);
        this.jobs = new SerialJobs(ctx, owner);
        this.rejections = WireStats.get(ctx.getSystem()).rejections();
    }

    /**
     * The behaviour of the member {@code make} builds: it looks for the coordinator's actor at once
     * and asks to be admitted as soon as it exists (remoting does not wait for cluster membership,
     * and a joining member can stay Joining for a while when another member is unreachable); every
     * message goes through the job queue.
     */
    protected static Behavior<Object> start(BiFunction<ActorContext<Object>, TimerScheduler<Object>, MemberActor> make) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            MemberActor a = make.apply(ctx, timers);
            a.findCoordinator();
            timers.startTimerWithFixedDelay(FIND_TIMER, new FindCoordinator(), Duration.ofSeconds(1));
            return a.behavior();
        }));
    }

    /**
     * Asks the coordinator's path for its actor (Akka's {@link Identify}, answered by the actor
     * itself once it exists). Nothing is sent to the coordinator before it answers: a message that
     * reaches the coordinator's system before its actor is spawned goes to dead letters, and Artery
     * then keeps the dead reference as the compressed recipient of that path, so every later
     * message sent to the bare path went to dead letters too (seen when nodes start before the
     * coordinator: two of three never admitted). Sent by path through the root guardian, which
     * exists as soon as the coordinator's system listens; everything after goes to the full
     * reference (path and uid) the answer carries.
     */
    private void findCoordinator() {
        Adapter.toClassic(ctx.getSystem()).actorSelection(coordinator.path())
                .tell(new Identify(coordinator.path().toString()), Adapter.toClassic(ctx.getSelf()));
    }

    /** The answer to {@link #findCoordinator}: the coordinator exists; address it by its full reference and ask to join. */
    private void onIdentity(ActorIdentity identity) {
        if (!timers.isTimerActive(FIND_TIMER) || identity.getActorRef().isEmpty()) {
            return; // a late answer, or no actor at that path yet
        }
        akka.actor.ActorRef ref = identity.getActorRef().get();
        if (!isCoordinatorPath(ref.path())) {
            rejections.reject("bad-coordinator-ref", ref.path() + " answered for the coordinator " + coordinator.path());
            return;
        }
        coordinator = Adapter.toTyped(ref);
        timers.cancel(FIND_TIMER);
        ctx.getSelf().tell(new Up());
    }

    private Behavior<Object> behavior() {
        return Behaviors.receive(Object.class).onAnyMessage(m -> {
            if (m instanceof MalformedFrame) {
                return Behaviors.same(); // counted by the serializer
            }
            if (m instanceof FindCoordinator) {
                if (timers.isTimerActive(FIND_TIMER)) findCoordinator();
                return Behaviors.same();
            }
            if (m instanceof ActorIdentity identity) {
                onIdentity(identity);
                return Behaviors.same();
            }
            if (!(m instanceof GeneratedMessage g) || fromCoordinator(g)) {
                jobs.onMessage(m, this::handle);
            }
            return Behaviors.same();
        }).build();
    }

    /**
     * Whether the wire message being received comes from the coordinator this member joined (its
     * full reference, path and uid, as the coordinator's answer to Identify gave it); otherwise it is counted as
     * "wrong-sender:&lt;type&gt;" and dropped. Checked on arrival: the sender is gone once a message
     * waits in the job queue.
     */
    private boolean fromCoordinator(GeneratedMessage g) {
        akka.actor.ActorRef sender = WireSender.of(ctx);
        if (WireSender.is(sender, coordinator)) {
            return true;
        }
        rejections.reject("wrong-sender:" + g.getClass().getSimpleName(), "from " + WireSender.describe(sender)
                + ", not from the coordinator " + coordinator.path());
        return false;
    }

    /** Handles one message, in arrival order, never while a job runs. */
    private void handle(Object m) {
        if (m instanceof Up) {
            onUp();
        } else if (m instanceof RetryJoin) {
            if (joining()) {
                send(joinRequest());
            } else {
                timers.cancel("join");
            }
        } else if (m instanceof LeaveNow) {
            onLeaveNow();
        } else if (m instanceof GeneratedMessage g) {
            onWire(g);
        } else {
            log.warn("{} {}: unexpected message {}", owner, nodeId, m.getClass().getName());
        }
    }

    /** The member has started: it usually asks to be admitted ({@link #join}). */
    protected abstract void onUp();

    /** Whether it still waits for its admission (a retried join request is sent then). */
    protected abstract boolean joining();

    /** The join request it sends, and repeats while {@link #joining}. */
    protected abstract GeneratedMessage joinRequest();

    /** A wire message from the coordinator. */
    protected abstract void onWire(GeneratedMessage g);

    /** The local command {@link LeaveNow}. */
    protected abstract void onLeaveNow();

    /** Sends {@code request} now, then {@link #joinRequest} every {@code every} while {@link #joining}. */
    protected final void join(GeneratedMessage request, Duration every) {
        send(request);
        timers.startTimerWithFixedDelay("join", new RetryJoin(), every);
    }

    /** Admitted: no more join retries. */
    protected final void stopJoining() {
        timers.cancel("join");
    }

    /** This actor's reference in the wire format (for join requests). */
    protected final String selfRef() {
        return ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf());
    }

    /** Whether {@code path} names the coordinator this member joined: the same actor path at the same address (any uid). */
    private boolean isCoordinatorPath(akka.actor.ActorPath path) {
        return path.toStringWithoutAddress().equals(coordinator.path().toStringWithoutAddress())
                && path.address().equals(coordinator.path().address());
    }

    /**
     * Addresses the coordinator from now on by the full reference its admission carried: its
     * path with address, and the actor's incarnation uid (sent as a fixed-width field, so message
     * sizes and therefore the metrics do not depend on its value). Artery compresses a recipient
     * into a 4-byte tag only for the exact reference the receiving system advertised, which
     * includes the uid; a reference resolved from a bare path never matches, so every message
     * would carry the ~50-character path as a literal (measured: 83 bytes of framing per message
     * instead of 34). Returns false, and keeps the old reference, when {@code path} is empty,
     * {@code uid} is 0 (unknown) or the path is not the one this member joined.
     */
    protected final boolean addressCoordinatorBy(String path, int uid) {
        if (path == null || path.isEmpty() || uid == 0) {
            return false;
        }
        String serialized = path + "#" + uid;
        ActorRef<Object> full;
        try {
            full = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(serialized);
        } catch (RuntimeException e) {
            rejections.reject("bad-coordinator-ref", "cannot resolve '" + serialized + "': " + e.getMessage());
            return false;
        }
        if (!isCoordinatorPath(full.path())) {
            rejections.reject("bad-coordinator-ref", "'" + serialized + "' is not the coordinator " + coordinator.path());
            return false;
        }
        coordinator = full;
        return true;
    }

    /** Sends a wire message to the coordinator and counts its bytes by type. */
    protected final void send(GeneratedMessage m) {
        WireSender.tell(coordinator, m, ctx.getSelf());
        bytesSent.merge(m.getClass().getSimpleName(), Wire.wireBytes(m), Long::sum);
    }

    /** Bytes sent so far, by message type. */
    protected final Map<String, Long> bytesSent() {
        return bytesSent;
    }

    /** Runs {@code work} off the actor thread, then {@code then} with its result on the actor thread. */
    protected final void job(Supplier<Object> work, Consumer<Object> then) {
        jobs.run(work, then);
    }

    /** Leaves the Akka cluster gracefully (the ActorSystem then terminates). */
    protected final void leaveCluster() {
        Cluster c = Cluster.get(ctx.getSystem());
        c.manager().tell(akka.cluster.typed.Leave.create(c.selfMember().address()));
    }
}
