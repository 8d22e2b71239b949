package onebyte.coordinator.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import com.google.protobuf.GeneratedMessage;
import java.time.Duration;
import java.util.ArrayList;
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
import onebyte.node.wire.WireStats;
import org.slf4j.Logger;

/**
 * What a cluster run's coordinator actor is whatever the algorithm (SPSA's {@link Coordinator},
 * the federated {@code FedCoordinator}): its actor context and timers, where its rows and
 * callbacks go, its compute jobs, the nodes it admitted, its bytes, the tally of the round in
 * progress and the rows so far; and the sequence of rounds: round 0 opens once enough nodes are
 * ACTIVE; a round opens in three steps (churn before the member set, the member set of the ACTIVE
 * nodes not leaving, churn after it), closes at its deadline or earlier, and is followed by the
 * next until the budget stops the run. It is subscribed to the cluster's member events, which go
 * to the algorithm's {@link MemberWatch} (membership and crashes), and starts with {@link #load}.
 * Wire messages reach the handler the algorithm registered for their type ({@link #accept}) once
 * {@link WireRoutes} checked their sender and version; the algorithm handles them, the member
 * set, the round's opening and closing and the end of the run.
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
    private final WireRoutes routes;

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
    /** The run's virtual seconds, bytes_cum and forward_passes_cum after the rounds closed so far. */
    protected final RunTotals totals = new RunTotals();
    protected final List<RunResult.JoinRecord> joins = new ArrayList<>();
    private MemberWatch<M> members;
    /** What the run starts from (with its initial eval loss and accuracy), once {@link #load} built it; null before. */
    protected RunStart start;

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
        this.routes = new WireRoutes(ctx, roster, rejections, owner, this::countRejected);
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
                    .onMessage(GeneratedMessage.class, c.then(c.routes::onWire))
                    .onMessage(Deadline.class, c.then(c::onDeadline))
                    .onMessage(HookDone.class, c.then(c::onHookDone))
                    .onMessage(RetryOpen.class, c.then(c::onRetryOpen))
                    .onMessage(CoordinatorSignals.InterruptCheck.class, c.then(i -> c.onInterruptCheck()))
                    .onMessage(CoordinatorSignals.RejoinWaitOver.class, c.then(w -> c.onRejoinWaitOver()))
                    .onMessage(MemberChange.class, c.then(m -> c.members.onMemberEvent(m.event())))
                    .onMessage(Reachability.class, c.then(r -> c.members.onReachability(r.event())))
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

    /** Starts loading the run (a compute job that ends with {@link #start} set); nodes that ask to join meanwhile wait. */
    protected abstract void load();

    /** Whether {@link #load} is done (θ_0 or x^0 is there). */
    protected final boolean loaded() {
        return start != null;
    }

    /**
     * Accepts wire messages of {@code type} from the node {@code nodeId} names (checked against the
     * sender) in the version {@code version} reads, for {@code handler}.
     */
    protected final <T extends GeneratedMessage> void accept(Class<T> type, ToIntFunction<T> version, ToIntFunction<T> nodeId,
                                                             Consumer<T> handler) {
        routes.accept(type, version, nodeId, handler);
    }

    /** As {@link #accept}, for a join request: its sender must be the actor {@code nodeRef} names. */
    protected final <T extends GeneratedMessage> void acceptJoin(Class<T> type, ToIntFunction<T> version, Function<T, String> nodeRef,
                                                                 Consumer<T> handler) {
        routes.acceptJoin(type, version, nodeRef, handler);
    }

    /** Rejects {@code g} as {@code kind} for {@code detail} ({@link Rejections}), and {@link #countRejected counts} it. */
    protected final void reject(String kind, String detail, GeneratedMessage g) {
        rejections.reject(kind, detail);
        countRejected(g);
    }

    /** A rejected message's bytes: not counted unless a coordinator says where ({@code FedCoordinator}: "rejected:up:&lt;type&gt;"). */
    protected void countRejected(GeneratedMessage g) {}

    /** The run's membership and crash tracking ({@code w}), which the cluster's events and missed deadlines go to; returns it. */
    protected final <W extends MemberWatch<M>> W watch(W w) {
        members = w;
        return w;
    }

    /** A resumed run waited long enough for its members to come back (only SPSA's multi-process resume waits). */
    protected void onRejoinWaitOver() {}

    /** A compute job's continuation has run. */
    protected void afterJob() {}

    /** Round r's member set is {@code members} (in node-id order); churn after it comes next. */
    protected abstract void membersFixed(long r, TreeSet<Integer> members);

    /** Opens round r for its member set: sends RoundOpen and starts its deadline. */
    protected abstract void sendRoundOpen(long r);

    /** Closes the open round ({@code byDeadline}: at its deadline). */
    protected abstract void closeRound(boolean byDeadline);

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

    /** Opens round 0 once the run is {@link #loaded} and {@code nodes} nodes are ACTIVE ({@code ready}: "synced", "ready"). */
    protected final void maybeStart(int nodes, String ready) {
        if (started || !loaded()) {
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
        CoordinatorSignals.beforeRound(ctx, listener, r, totals.virtualSeconds());
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
            CoordinatorSignals.beforeOpen(ctx, listener, r, totals.virtualSeconds(), Set.copyOf(set));
            return;
        }
        opening = false;
        sendRoundOpen(r);
    }

    /**
     * Ends round r, the open round: it is closed and its deadline cancelled; every participant it
     * still waited for missed the deadline: it is SUSPECT (left out until heard from) and
     * {@link MemberWatch#crashed crashed}. Returns those.
     */
    protected final Set<Integer> endRound(long r) {
        open = false;
        timers.cancel("deadline");
        Set<Integer> missed = new TreeSet<>(pending);
        for (int id : missed) {
            M m = roster.get(id);
            if (m.state == State.ACTIVE) {
                m.state = State.SUSPECT;
                members.crashed(m, "missed the deadline of round " + r + "; left out until heard from");
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

    /** Closes the open round when it waits for nobody any more. */
    protected final void closeIfAllIn() {
        if (open && pending.isEmpty()) {
            closeRound(false);
        }
    }

    /**
     * Whether join request {@code j} (of the node {@code nodeRef} names) must wait because the run
     * is not {@link #loaded} yet; it then waits once (the node's retries are answered once), and
     * is handled by its type's handler when {@link #admitWaitingJoins} runs.
     */
    protected final boolean waitsForLoad(GeneratedMessage j, String nodeRef) {
        if (loaded()) {
            return false;
        }
        routes.hold(j, nodeRef);
        return true;
    }

    /** The run is loaded: the joins that waited are handled, in arrival order (checked on arrival). */
    protected final void admitWaitingJoins() {
        routes.releaseHeld();
    }

    /** Whether a join waits for the run to load (a state saved now would lose it). */
    protected final boolean joinsWaiting() {
        return routes.holding();
    }

    /** Opens round {@code round} of a resumed run once its members are back; node ids go on from {@code nextNodeId}. */
    protected final void openRestored(long round, int nextNodeId) {
        roster.continueIdsFrom(nextNodeId);
        started = true;
        startNanos = System.nanoTime();
        log.info("{}: {} members restored; opening round {}", owner, roster.all().size(), round);
        openRound(round);
    }

    /**
     * The run's result: the rows, {@code finalHash} of the final model, the joins, rejections,
     * bytes and crashes so far, with {@code firstRounds} and {@code hashMismatches} (SPSA's replica
     * checks; empty and 0 for a federated run), stopped by {@code stop}.
     */
    protected final RunResult runResult(String finalHash, Map<Integer, RunResult.FirstRound> firstRounds, long hashMismatches,
                                        RunBudget.Stop stop) {
        return new RunResult(List.copyOf(rows), finalHash, start.initialLoss(), start.initialAccuracy(), List.copyOf(joins),
                Map.copyOf(firstRounds), hashMismatches, rejections.snapshot(), Map.copyOf(ledger.byType()),
                Map.copyOf(ledger.byNode()), List.copyOf(members.crashedNodes()), stop);
    }

    /** The run ended with {@code res}: the listener hears of it, then whoever waits for the result. */
    protected final void complete(RunResult res) {
        listener.finished(res);
        result.complete(res);
    }

    /** {@code v} with four decimals, for the log. */
    protected static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
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
