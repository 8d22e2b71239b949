package onebyte.coordinator.cluster;

import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import com.google.protobuf.GeneratedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.coordinator.cluster.CoordinatorSignals.Deadline;
import onebyte.coordinator.cluster.CoordinatorSignals.HookDone;
import onebyte.coordinator.cluster.CoordinatorSignals.MemberChange;
import onebyte.coordinator.cluster.CoordinatorSignals.Reachability;
import onebyte.coordinator.cluster.CoordinatorSignals.RetryOpen;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.node.ComputeJobs;
import onebyte.node.wire.MalformedFrame;
import onebyte.node.wire.Rejections;
import onebyte.node.wire.WireSender;
import onebyte.node.wire.WireStats;
import org.slf4j.Logger;

/**
 * What a cluster run's coordinator actor is whatever the algorithm (SPSA's {@link Coordinator},
 * the federated {@code FedCoordinator}): its actor context and timers, where its rows and
 * callbacks go, its compute jobs, the nodes it admitted, its bytes, the tally of the round in
 * progress and the rows so far; and the sequence of rounds: round 0 opens once enough nodes are
 * ACTIVE; a round opens in three steps (churn before the member set, the member set of the ACTIVE
 * nodes not leaving, churn after it), closes at its deadline or earlier, and is followed by the
 * next until the budget stops the run. It is subscribed to the cluster's member events and starts
 * with {@link #load}; the algorithm handles wire messages, cluster events, the member set, the
 * round's opening and closing and the end of the run.
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
    protected final TrafficLedger ledger;
    protected final RoundTally.Counting counting = new RoundTally.Counting();
    protected final List<MetricsRow> rows = new ArrayList<>();
    private final String owner;

    // the run and the round in progress
    protected boolean started;
    protected boolean finished;
    protected long current = -1;
    protected boolean open;
    private boolean opening;
    /** The round's participants it still waits for. */
    protected final Set<Integer> pending = new TreeSet<>();
    protected long roundStartNanos;
    protected long startNanos = System.nanoTime(); // reset when round 0 opens: wall_time_s counts from there
    protected long bytesCum;
    protected final List<RunResult.JoinRecord> joins = new ArrayList<>();
    protected final List<Integer> crashedNodes = new ArrayList<>();
    protected double initialLoss = Double.NaN;
    protected double initialAccuracy = Double.NaN;

    /** {@code owner} names the coordinator in the log ("coordinator", "fed coordinator"). */
    protected ClusterCoordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, MetricsSink sink, RunListener listener,
                                 CompletableFuture<RunResult> result, String owner) {
        this.ctx = ctx;
        this.timers = timers;
        this.sink = sink;
        this.listener = listener;
        this.result = result;
        this.owner = owner;
        ctx.setLoggerName(getClass()); // logs under the coordinator's own class, as before it had a base class
        this.log = ctx.getLog();
        this.jobs = new ComputeJobs(ctx, owner, result);
        this.rejections = WireStats.get(ctx.getSystem()).rejections();
        this.ledger = new TrafficLedger(ctx.getSelf());
    }

    /**
     * The behaviour of the coordinator {@code make} builds; spawn it as "coordinator" under the
     * user guardian (nodes find it by path). Wire messages (protobuf, from nodes), finished jobs
     * and the coordinator's own {@link CoordinatorSignals}, one handler per type.
     */
    protected static Behavior<Object> behavior(
            BiFunction<ActorContext<Object>, TimerScheduler<Object>, ClusterCoordinator<?>> make) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ClusterCoordinator<?> c = make.apply(ctx, timers);
            CoordinatorSignals.subscribe(ctx);
            timers.startTimerWithFixedDelay("interrupt-check", new CoordinatorSignals.InterruptCheck(), INTERRUPT_CHECK);
            c.load();
            return Behaviors.receive(Object.class)
                    .onMessage(GeneratedMessage.class, c.then(c::onWire))
                    .onMessage(Deadline.class, c.then(c::onDeadline))
                    .onMessage(HookDone.class, c.then(c::onHookDone))
                    .onMessage(RetryOpen.class, c.then(c::onRetryOpen))
                    .onMessage(CoordinatorSignals.InterruptCheck.class, c.then(i -> c.onInterruptCheck()))
                    .onMessage(CoordinatorSignals.RejoinWaitOver.class, c.then(w -> c.onRejoinWaitOver()))
                    .onMessage(MemberChange.class, c.then(m -> c.onMemberEvent(m.event())))
                    .onMessage(Reachability.class, c.then(r -> c.onReachability(r.event())))
                    .onMessage(MalformedFrame.class, m -> Behaviors.same()) // counted by the serializer
                    .onAnyMessage(c.then(c::onOther))
                    .build();
        }));
    }

    private <T> akka.japi.function.Function<T, Behavior<Object>> then(Consumer<T> handler) {
        return m -> {
            handler.accept(m);
            return Behaviors.same();
        };
    }

    /** How often a coordinator looks whether the run was interrupted ({@link RunInterrupt}). */
    static final Duration INTERRUPT_CHECK = Duration.ofMillis(200);

    /** Starts loading the run (a compute job); nodes that ask to join meanwhile wait. */
    protected abstract void load();

    /** Whether {@link #load} is done (θ_0 or x^0 is there). */
    protected abstract boolean loaded();

    /** A wire message type a coordinator accepts: its version, the node it names or the reference a join names, its handler. */
    private record Route<T extends GeneratedMessage>(ToIntFunction<T> version, ToIntFunction<T> nodeId,
                                                     Function<T, String> joinRef, Consumer<T> handler) {}

    private final Map<Class<?>, Route<?>> routes = new HashMap<>();

    /**
     * Accepts wire messages of {@code type} from the node {@code nodeId} names (checked against the
     * sender) in the version {@code version} reads, for {@code handler}.
     */
    protected final <T extends GeneratedMessage> void accept(Class<T> type, ToIntFunction<T> version, ToIntFunction<T> nodeId,
                                                             Consumer<T> handler) {
        routes.put(type, new Route<>(version, nodeId, null, handler));
    }

    /** As {@link #accept}, for a join request: its sender must be the actor {@code nodeRef} names. */
    protected final <T extends GeneratedMessage> void acceptJoin(Class<T> type, ToIntFunction<T> version, Function<T, String> nodeRef,
                                                                 Consumer<T> handler) {
        routes.put(type, new Route<>(version, null, nodeRef, handler));
    }

    /** A wire message from a node: rejected when it is not of a type accepted, from another sender or of another version. */
    @SuppressWarnings("unchecked")
    private void onWire(GeneratedMessage g) {
        String type = g.getClass().getSimpleName();
        Route<GeneratedMessage> r = (Route<GeneratedMessage>) routes.get(g.getClass());
        if (r == null) {
            reject("unexpected:" + type, "the " + owner + " does not accept it", g);
            return;
        }
        String wrong = r.joinRef() != null ? wrongJoinSender(r.joinRef().apply(g)) : wrongSender(r.nodeId().applyAsInt(g));
        if (wrong != null) {
            reject("wrong-sender:" + type, wrong, g);
            return;
        }
        if (!rejections.versionOk(r.version().applyAsInt(g), type)) {
            countRejected(g);
            return;
        }
        r.handler().accept(g);
    }

    /** Rejects {@code g} as {@code kind} for {@code detail} ({@link Rejections}), and {@link #countRejected counts} it. */
    protected final void reject(String kind, String detail, GeneratedMessage g) {
        rejections.reject(kind, detail);
        countRejected(g);
    }

    /** A rejected message's bytes: not counted unless a coordinator says where ({@code FedCoordinator}: "rejected:up:&lt;type&gt;"). */
    protected void countRejected(GeneratedMessage g) {}

    /**
     * Null when the wire message being handled (only valid in a handler) comes from the actor
     * admitted under {@code nodeId}, or when no node has that id (the caller rejects it as an
     * unknown node); otherwise what is wrong, for the caller to reject as "wrong-sender:&lt;type&gt;".
     */
    private String wrongSender(int nodeId) {
        M m = roster.get(nodeId);
        akka.actor.ActorRef sender = WireSender.of(ctx);
        if (m == null || WireSender.is(sender, m.ref)) {
            return null;
        }
        return "a message of node " + nodeId + " from " + WireSender.describe(sender) + ", not from " + m.ref.path();
    }

    /** As {@link #wrongSender(int)} for a join request: null when it comes from the actor {@code nodeRef} it names. */
    private String wrongJoinSender(String nodeRef) {
        akka.actor.ActorRef sender = WireSender.of(ctx);
        try {
            if (!nodeRef.isEmpty() && WireSender.is(sender, ActorRefResolver.get(ctx.getSystem()).resolveActorRef(nodeRef))) {
                return null;
            }
        } catch (RuntimeException e) {
            return "cannot resolve '" + nodeRef + "': " + e.getMessage();
        }
        return "a join request for '" + nodeRef + "' from " + WireSender.describe(sender);
    }

    protected abstract void onMemberEvent(ClusterEvent.MemberEvent e);

    protected abstract void onReachability(ClusterEvent.ReachabilityEvent e);

    /** A resumed run waited long enough for its members to come back (only SPSA's multi-process resume waits). */
    protected void onRejoinWaitOver() {}

    /** A compute job's continuation has run. */
    protected void afterJob() {}

    /** The run's virtual seconds so far (the start of the round about to open). */
    protected abstract double virtualSeconds();

    /** Round r's member set is {@code members} (in node-id order); churn after it comes next. */
    protected abstract void membersFixed(long r, TreeSet<Integer> members);

    /** Opens round r for its member set: sends RoundOpen and starts its deadline. */
    protected abstract void sendRoundOpen(long r);

    /** Closes the open round ({@code byDeadline}: at its deadline). */
    protected abstract void closeRound(boolean byDeadline);

    /** A node that was waited for crashed (missed the deadline, or the cluster lost it). */
    protected abstract void crashed(M m, String why);

    /** Ends the run after {@code roundsDone} rounds. */
    protected abstract void finishRun(long roundsDone, RunBudget.Stop stop);

    private void onDeadline(Deadline d) {
        if (open && d.round() == current) {
            closeRound(true);
        }
    }

    private void onRetryOpen(RetryOpen r) {
        if (!open && !opening && !finished && r.round() == current) {
            openRound(r.round());
        }
    }

    /** A finished compute job (anything else is unexpected). */
    private void onOther(Object m) {
        if (jobs.finished(m)) {
            afterJob();
        } else {
            log.warn("{}: unexpected message {}", owner, m.getClass().getName());
        }
    }

    /**
     * A stop was asked for ({@link RunInterrupt}): a round in progress completes (its close ends
     * the run, {@link #nextRound}), a round whose member set or churn is still being prepared is
     * dropped when that step completes ({@link #onHookDone}), a closed round being applied is
     * recorded first (the check waits for the job); a run that is waiting (for its first
     * nodes, or for live members) ends now, after the rounds it completed. Nothing is recorded
     * half: the rows end at the last completed round.
     */
    private void onInterruptCheck() {
        if (!RunInterrupt.requested() || finished || open || opening || jobs.busy() || !loaded()) {
            return;
        }
        timers.cancel("interrupt-check");
        timers.cancel("retry-open");
        long done = started ? current : 0; // round `current` has not opened
        log.warn("{}: interrupted ({}); the run ends after {} completed rounds", owner, RunInterrupt.signal(), done);
        finishRun(done, RunBudget.Stop.INTERRUPTED);
    }

    /** Opens round 0 once the run is {@code loaded} and {@code nodes} nodes are ACTIVE ({@code ready}: "synced", "ready"). */
    protected final void maybeStart(boolean loaded, int nodes, String ready) {
        if (started || !loaded) {
            return;
        }
        long active = roster.all().stream().filter(m -> m.state == State.ACTIVE).count();
        if (active >= nodes) {
            started = true;
            startNanos = System.nanoTime();
            log.info("{}: {} nodes {}; opening round 0", owner, active, ready);
            openRound(0);
        }
    }

    /** Opens round r in three steps: churn before the member set, the member set, churn after it (crashes), RoundOpen. */
    protected final void openRound(long r) {
        current = r;
        opening = true;
        CoordinatorSignals.beforeRound(ctx, listener, r, virtualSeconds());
    }

    private void onHookDone(HookDone h) {
        if (h.error() != null) {
            log.error("{}: round {} churn hook failed", owner, h.round(), h.error());
        }
        long r = h.round();
        if (RunInterrupt.requested() && !finished) {
            opening = false;
            log.warn("{}: interrupted ({}) before round {} opened; it is dropped", owner, RunInterrupt.signal(), r);
            finishRun(r, RunBudget.Stop.INTERRUPTED);
            return;
        }
        if (h.step() == 1) {
            TreeSet<Integer> set = new TreeSet<>();
            roster.all().stream().filter(m -> m.state == State.ACTIVE && !m.leaving).forEach(m -> set.add(m.id));
            if (set.isEmpty()) {
                opening = false;
                log.warn("{}: no live members for round {}; waiting", owner, r);
                timers.startSingleTimer("retry-open", new RetryOpen(r), Duration.ofSeconds(1));
                return;
            }
            counting.joined(roster.countJoins(set)); // a churn join counts in the row of the first round it is a member of
            membersFixed(r, set);
            CoordinatorSignals.beforeOpen(ctx, listener, r, virtualSeconds(), Set.copyOf(set));
            return;
        }
        opening = false;
        sendRoundOpen(r);
    }

    /**
     * Ends round r, the open round: it is closed and its deadline cancelled; every participant it
     * still waited for missed the deadline: it is SUSPECT (left out until heard from) and
     * {@link #crashed}. Returns those.
     */
    protected final Set<Integer> endRound(long r) {
        open = false;
        timers.cancel("deadline");
        Set<Integer> missed = new TreeSet<>(pending);
        for (int id : missed) {
            M m = roster.get(id);
            if (m.state == State.ACTIVE) {
                m.state = State.SUSPECT;
                crashed(m, "missed the deadline of round " + r + "; left out until heard from");
            }
        }
        pending.clear();
        return missed;
    }

    /** After round r's row: the next round, or the end of the run where the budget says {@code stop}. */
    protected final void nextRound(long r, RunBudget.Stop stop) {
        if (stop == null && RunInterrupt.requested()) {
            log.warn("{}: interrupted ({}); round {} completed, the run ends", owner, RunInterrupt.signal(), r);
            stop = RunBudget.Stop.INTERRUPTED;
        }
        if (stop == null) {
            openRound(r + 1);
        } else {
            finishRun(r + 1, stop);
        }
    }

    /** Counts a node's crash in the round in progress, once until it is heard from again. */
    protected final void countCrashOnce(M m, String why) {
        if (!m.crashCounted) {
            m.crashCounted = true;
            counting.crashed();
            crashedNodes.add(m.id);
            log.warn("{}: node {} crashed ({})", owner, m.id, why);
        }
    }

    /** Sends {@code msg} to every node not gone, in admission order. */
    protected final void sendToLive(GeneratedMessage msg) {
        for (M m : roster.all()) {
            if (m.state != State.GONE) {
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
        m.state = State.GONE;
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
