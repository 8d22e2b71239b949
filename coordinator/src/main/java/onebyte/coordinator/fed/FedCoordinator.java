package onebyte.coordinator.fed;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import com.google.protobuf.GeneratedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.clock.WorkCalibration;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.coordinator.cluster.ClusterCoordinator;
import onebyte.coordinator.cluster.CoordinatorSignals.Deadline;
import onebyte.coordinator.cluster.RunStart;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.cluster.RoundTally;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.core.fed.FedSpeedServer;
import onebyte.core.perturbation.Distribution;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.node.engine.Workload;
import onebyte.node.fed.FedChunks;
import onebyte.node.fed.FedSeeds;
import onebyte.node.wire.Wire;
import onebyte.proto.FedAdmit;
import onebyte.proto.FedConfig;
import onebyte.proto.FedDone;
import onebyte.proto.FedJoin;
import onebyte.proto.FedLeave;
import onebyte.proto.FedModelChunk;
import onebyte.proto.FedReady;
import onebyte.proto.FedRoundOpen;
import onebyte.proto.FedRunComplete;

/**
 * The server of a federated run (SPEC §4) on the cluster: rounds, the membership they run on, the
 * global model x^t, and one {@link MetricsRow} per round. How a node gets in (FedJoin, FedAdmit
 * with its shard, FedReady) is {@link FedAdmission}'s.
 *
 * <p>Round t: churn before the member set ({@link RunListener#beforeRound}); M_t = the ready
 * members that are not leaving; P_t = {@link FedSeeds#participants} (ratio p, seeded by (seed, t));
 * churn after it ({@link RunListener#beforeOpen}: crashes); then each participant gets a
 * FedRoundOpen and x^t in {@link FedChunks}. The round closes when every participant returned all
 * chunks of x̂_i and its FedDone, or at the deadline; a participant the cluster reports unreachable or removed is
 * dropped from the round at once. x^{t+1} = {@link FedSpeedServer#next} of the returned x̂_i in node-id
 * order, in the run's server form ({@link FedRunSettings#server()}); a round where nobody returned keeps x^t. A participant that missed the deadline is
 * counted as crashed and left out (SUSPECT) until it is heard from again.
 *
 * <p>What the coordinator knows of a crash comes from the rounds, not from when Akka's failure
 * detector happens to speak ({@link FedMembership}).
 *
 * <p>Every node names its node class, whose links the virtual clock charges it.
 *
 * <p>Bytes: like the SPSA coordinator, every message sent or received is counted at payload +
 * {@link Wire#ENVELOPE_BYTES} (its real serialized size); FedDone (train loss and compute
 * telemetry for the simulator) is counted apart under "up:FedDone" and not in the rows. Rejected
 * messages are counted under "rejected:up:&lt;type&gt;", retried joins and their repeated answers
 * under "retry:up:FedJoin" / "retry:down:FedAdmit" (how often a node retries depends on wall-clock
 * timing), bytes exchanged with nodes counted as crashed in that round under "crashed:up" /
 * "crashed:down"; none of these are in the rows.
 *
 * <p>Virtual time ({@link VirtualClock}): a participant's round is {@link VirtualClock#participantSeconds}
 * of its gradient passes (× the seconds per gradient pass of {@link FedRunSettings#workCosts()}, the
 * costs every algorithm of a comparison shares, or measured by {@link WorkCalibration} on this
 * coordinator's compute thread at start), its bytes over its node class's uplink and downlink, and
 * one latency; the round lasts as long as its slowest participant, and at least the deadline when a
 * participant did not return (crashed or missed the deadline) or the round closed at its deadline,
 * however early the cluster reported the crash. The server's mean is not charged.
 *
 * <p>The run stops after the round that reaches its {@link FedRunSettings#budget()}: rounds,
 * virtual seconds or bytes_cum, whichever comes first; that round is evaluated. joined counts
 * nodes ready after round 0 opened (churn), in the row of the first round they are members of;
 * the initial members are not counted.
 *
 * <p>forward_passes_cum counts gradient passes (each one forward and one backward pass over a
 * minibatch) of the participants whose x̂_i was used, the unit SPSA's forward passes are counted
 * in (one pass over a minibatch); evaluation passes are not counted by either.
 */
public final class FedCoordinator extends ClusterCoordinator<FedMember> {
    private record Ready(RunStart start, VirtualClock.WorkCosts costs) {}

    private record Closed(ParameterVector x, double[] eval) {}

    private final FedRunSettings s;
    private final FedSpeedServer server;

    private ParameterVector x;
    private VirtualClock clock;

    private Set<Integer> mt = Set.of();
    private List<Integer> pt = List.of();
    private final FedReturns returns;

    // a resumed run (FedRestore): where it starts, the saved members still to admit; the nodes' ĝ_i as they report them
    private final RestorePoint restore;
    private final FedAdmission admission;
    private final FedMembership members = watch(new FedMembership(this));
    private final Map<Integer, float[]> nodeDuals;

    private FedCoordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, FedRunSettings s, MetricsSink sink,
                           RunListener listener, CompletableFuture<RunResult> result, RestorePoint restore,
                           Map<Integer, float[]> nodeDuals) {
        super(ctx, timers, sink, listener, result, "fed coordinator");
        this.s = s;
        this.server = new FedSpeedServer(s.server());
        this.returns = new FedReturns(s.gradientPassesPerRound());
        this.restore = restore;
        this.nodeDuals = nodeDuals;
        this.admission = new FedAdmission(ctx, s, roster, ledger, restore, listener, joins, admissionRun());
        acceptJoin(FedJoin.class, FedJoin::getVersion, FedJoin::getNodeRef, this::onJoin);
        accept(FedReady.class, FedReady::getVersion, FedReady::getNodeId, admission::onReady);
        accept(FedModelChunk.class, FedModelChunk::getVersion, FedModelChunk::getNodeId, this::onChunk);
        accept(FedDone.class, FedDone::getVersion, FedDone::getNodeId, this::onDone);
        accept(FedLeave.class, FedLeave::getVersion, FedLeave::getNodeId, l -> members.onLeave(l.getNodeId(), l));
    }

    /** The coordinator behavior; spawn it as "coordinator" under the user guardian (nodes find it by path). */
    public static Behavior<Object> create(FedRunSettings settings, MetricsSink sink, RunListener listener,
                                          CompletableFuture<RunResult> result) {
        return create(settings, sink, listener, result, null, Map.of());
    }

    /**
     * As {@link #create(FedRunSettings, MetricsSink, RunListener, CompletableFuture)}; from
     * {@code restore} when it is not null (x^t, counters and server duals from it, its members
     * admitted in node-id order under their node ids outside the rows, then round
     * {@link RestorePoint#round()}); {@code nodeDuals}: each node's latest ĝ_i, for saved states.
     */
    public static Behavior<Object> create(FedRunSettings settings, MetricsSink sink, RunListener listener,
                                          CompletableFuture<RunResult> result, RestorePoint restore, Map<Integer, float[]> nodeDuals) {
        return behavior((ctx, timers) -> new FedCoordinator(ctx, timers, settings, sink, listener, result, restore, nodeDuals));
    }

    // ---- start ---------------------------------------------------------------------------

    @Override
    protected void load() {
        jobs.run(() -> {
            RunStart from = RunStart.load(s.workload(), s.runSeed(), restore == null ? null : restore.state(),
                    w -> restore != null ? FedRestore.model(restore.state(), w.numParams()) : w.initialParameters());
            Workload w = from.workload();
            VirtualClock.WorkCosts costs = s.workCosts() != null ? s.workCosts()
                    : WorkCalibration.measure(w, s.client().batchSize(), s.client().batchSize(), Distribution.GAUSSIAN,
                            PerturbationStream.DEFAULT_CHUNK_SIZE);
            return new Ready(from, costs);
        }, r -> {
            Ready ready = (Ready) r;
            start = ready.start();
            x = start.start();
            clock = new VirtualClock(ready.costs());
            if (restore != null) {
                totals.restore(restore.state());
                FedRestore.serverDuals(restore.state(), server, x.length());
                log.info("fed coordinator: resuming at round {} from its saved state; admitting the {} live members", restore.round(),
                        restore.state().getMembersCount());
            }
            var c = s.client();
            FedConfig config = FedConfig.newBuilder().setRunSeed(s.runSeed()).setWorkload(s.workload()).setNumParams(x.length())
                    .setLocalSteps(c.localSteps()).setInvLambda(c.invLambda()).setRho(c.rho()).setAlpha(c.alpha())
                    .setBatchSize(c.batchSize()).setCorrection(c.correction()).build();
            log.info("fed coordinator: {} run {} ready, d={}, eval loss {} accuracy {}; clock: {}; waiting for {} nodes",
                    s.algorithm(), s.runId(), x.length(), fmt(start.initialLoss()), fmt(start.initialAccuracy()),
                    WorkCalibration.describe(ready.costs()), s.nodes());
            admission.ready(config);
            if (restore != null && admission.allRestoredAdmitted()) {
                finishRestore(); // no live member at the boundary: the run waits for one, as it did
            }
            admitWaitingJoins();
        });
    }

    /** Rejected messages are counted under "rejected:up:&lt;type&gt;", outside the rows. */
    @Override
    protected void countRejected(GeneratedMessage g) {
        ledger.add("rejected:up:" + g.getClass().getSimpleName(), Wire.wireBytes(g));
    }

    // ---- admission -----------------------------------------------------------------------

    private void onJoin(FedJoin j) {
        if (!waitsForLoad(j, j.getNodeRef())) {
            admission.onJoin(j);
        }
    }

    /** What admission asks of this coordinator. */
    private FedAdmission.Run admissionRun() {
        return new FedAdmission.Run() {
            @Override
            public boolean started() {
                return started;
            }

            @Override
            public long current() {
                return current;
            }

            @Override
            public FedMember known(int nodeId, GeneratedMessage g) {
                return members.known(nodeId, g);
            }

            @Override
            public void reject(String kind, String detail, GeneratedMessage g) {
                FedCoordinator.this.reject(kind, detail, g);
            }

            @Override
            public void ready(FedMember m, boolean restored) {
                if (m.leaving) {
                    members.ackLeave(m);
                }
                if (restore == null) {
                    maybeStart(s.nodes(), "ready");
                } else if (restored) {
                    finishRestore();
                }
            }
        };
    }

    /** Every saved member is ready: their joins are left out of the rows and round {@link RestorePoint#round()} opens. */
    private void finishRestore() {
        for (FedMember m : roster.all()) {
            m.up = 0;
            m.down = 0;
            m.joinUncounted = false;
        }
        openRestored(restore.round(), restore.state().getNextNodeId());
    }

    // ---- rounds --------------------------------------------------------------------------

    /** M_t: every ACTIVE node not leaving; P_t sampled from it. */
    @Override
    protected void membersFixed(long r, TreeSet<Integer> members) {
        mt = Set.copyOf(members);
        pt = FedSeeds.participants(s.runSeed(), r, members, s.participation());
    }

    @Override
    protected void sendRoundOpen(long r) {
        double lr = s.client().lrAt(r);
        int d = x.length();
        pending.clear();
        returns.clear();
        open = true;
        roundStartNanos = System.nanoTime();
        for (int id : pt) {
            FedMember m = roster.get(id);
            if (m.state != State.ACTIVE) {
                continue; // crashed between the member set and now: nothing to send, counted already
            }
            if (members.lostBefore(m, r)) {
                continue; // sampled while the cluster reports it lost: nothing to send
            }
            m.done = null;
            m.assembly = new FedChunks.Assembly(r, id, d);
            pending.add(id);
            ledger.send(m, FedRoundOpen.newBuilder().setVersion(Wire.VERSION).setRound(r).setNodeId(id).setLr(lr)
                    .setChunks(FedChunks.count(d)).setNumParams(d).setDeadlineMs(s.roundDeadline().toMillis()).build());
            for (FedModelChunk c : FedChunks.split(r, id, x)) {
                ledger.send(m, c);
            }
        }
        timers.startSingleTimer("deadline", new Deadline(r), s.roundDeadline());
        closeIfAllIn();
    }

    private void onChunk(FedModelChunk c) {
        FedMember m = members.known(c.getNodeId(), c);
        if (m == null) {
            return;
        }
        FedReturns.Rejection no = returns.chunk(c, m, open, current, pending.contains(m.id));
        if (no != null) {
            reject(no.kind(), no.detail(), c);
            return;
        }
        ledger.received(m, c);
        maybeReturned(m);
    }

    private void onDone(FedDone d) {
        FedMember m = members.known(d.getNodeId(), d);
        if (m == null) {
            return;
        }
        FedReturns.Rejection no = returns.done(d, m, open, current, pending.contains(m.id));
        if (no != null) {
            reject(no.kind(), no.detail(), d);
            return;
        }
        ledger.add("up:FedDone", Wire.wireBytes(d)); // telemetry, not in the rows
        maybeReturned(m);
    }

    /** A participant has returned once it sent every chunk of x̂_i and its FedDone for the round. */
    private void maybeReturned(FedMember m) {
        if (returns.returned(m, current)) {
            pending.remove(m.id);
            closeIfAllIn();
        }
    }

    @Override
    protected void closeRound(boolean byDeadline) {
        long r = current;
        double wall = (System.nanoTime() - roundStartNanos) / 1e9;
        endRound(r);
        boolean lostSome = returns.vectors().size() < pt.size();
        List<Integer> contributors = new ArrayList<>(returns.vectors().keySet());
        TreeMap<Integer, ParameterVector> xs = new TreeMap<>(returns.vectors());
        Set<Integer> memberSet = mt;
        returns.clear();
        members.ackLeavers(pt);
        RoundTally tally = tally(contributors, byDeadline || lostSome);
        RunBudget.Stop stop = totals.stopAfter(s.budget(), r, tally);
        boolean eval = r == 0 || (r + 1) % s.evalEvery() == 0 || stop != null;
        ParameterVector previous = x;
        jobs.run(() -> {
            ParameterVector next = server.next(r, previous, xs, memberSet);
            return new Closed(next, start.evaluate(next, eval));
        }, c -> finishRound(r, (Closed) c, tally, stop, byDeadline, lostSome, wall, contributors));
    }

    /**
     * Takes the round's bytes and membership changes off the members and counters (what arrives
     * from now on belongs to the next round) and computes the round's virtual seconds: the slowest
     * contributor, and at least the deadline when {@code lostSome}.
     */
    private RoundTally tally(List<Integer> contributors, boolean lostSome) {
        List<VirtualClock.ParticipantWork> work = new ArrayList<>();
        for (FedMember m : roster.all()) {
            boolean contributed = contributors.contains(m.id);
            counting.bytes(m, contributed, ledger);
            if (contributed) {
                int grads = m.done.getGradientPasses(); // every contributor's FedDone was checked on arrival
                counting.passes(grads);
                counting.loss(m.done.getTrainLoss());
                counting.compute(m.done.getComputeSeconds());
                work.add(new VirtualClock.ParticipantWork(0, grads, 0, m.up, m.down, m.links));
            }
            m.up = 0;
            m.down = 0;
        }
        return counting.close(clock.roundSeconds(work, 0, lostSome ? s.roundDeadline().toNanos() / 1e9 : 0));
    }

    private void finishRound(long r, Closed c, RoundTally t, RunBudget.Stop stop, boolean byDeadline, boolean lostSome,
                             double wall, List<Integer> contributors) {
        x = c.x();
        totals.add(t);
        MetricsRow row = totals.row(s.runId(), s.algorithm().id(), r, (System.nanoTime() - startNanos) / 1e9, mt.size(),
                pt.size(), contributors.size(), t, c.eval(), null, s.client().lrAt(r), s.runSeed());
        long hash = Wire.hash8(x.hash());
        recordRow(row, new RunListener.RoundReport(r, mt, Set.copyOf(contributors), byDeadline, wall, t.slowestCompute(),
                hash, Map.of()));
        if (stop == null && FedRestore.clean(roster.all(), !joinsWaiting())) {
            listener.atBoundary(r + 1, () -> FedRestore.state(s.algorithm().id(), r + 1, x, hash, totals, start,
                    roster.peekNextId(), roster.all(), server, nodeDuals));
        }
        if (lostSome) {
            log.info("fed coordinator: round {} closed{} with {} of {} participants", r, byDeadline ? " at its deadline" : "",
                    contributors.size(), pt.size());
        }
        nextRound(r, stop);
    }

    @Override
    protected void finishRun(long roundsDone, RunBudget.Stop stop) {
        finished = true;
        members.sendToLive(FedRunComplete.newBuilder().setVersion(Wire.VERSION).setRounds(roundsDone).build());
        RunResult res = runResult(x.hashHex(), Map.of(), 0, stop);
        log.info("fed coordinator: {} run {} finished after {} rounds ({}); bytes by type {}", s.algorithm(), s.runId(), roundsDone,
                totals.describe(s.budget(), stop, roundsDone), ledger.byType());
        complete(res);
    }
}
