package onebyte.coordinator.fed;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
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
import onebyte.coordinator.cluster.LoopbackCluster;
import onebyte.coordinator.cluster.RestorePoint;
import onebyte.coordinator.cluster.RoundTally;
import onebyte.coordinator.cluster.RunListener;
import onebyte.coordinator.cluster.RunResult;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.core.fed.FedSpeedServer;
import onebyte.core.model.Model;
import onebyte.core.perturbation.Distribution;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.perturbation.PerturbationStream;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
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
 * detector happens to speak: a member the cluster reports unreachable or removed while it is not
 * an open round's participant stays in M_t and is counted as crashed in the first round that
 * samples it (it is not sent anything then). So the rows (members, crashed, virtual time) are
 * the same in every run of a scenario whatever the wall-clock timing; with participation 1 that
 * is the round of the crash.
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
    private record Ready(Workload workload, ParameterVector x, Model model, double loss, double accuracy, VirtualClock.WorkCosts costs) {}

    private record Closed(ParameterVector x, double evalLoss, double evalAccuracy) {}

    private final FedRunSettings s;
    private final FedSpeedServer server;

    private Workload workload;
    private Model model;
    private ParameterVector x;
    private VirtualClock clock;

    private Set<Integer> mt = Set.of();
    private List<Integer> pt = List.of();
    private final TreeMap<Integer, ParameterVector> returned = new TreeMap<>();

    private long passesCum;

    // a resumed run (FedRestore): where it starts, the saved members still to admit; the nodes' ĝ_i as they report them
    private final RestorePoint restore;
    private final FedAdmission admission;
    private final Map<Integer, float[]> nodeDuals;

    private FedCoordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, FedRunSettings s, MetricsSink sink,
                           RunListener listener, CompletableFuture<RunResult> result, RestorePoint restore,
                           Map<Integer, float[]> nodeDuals) {
        super(ctx, timers, sink, listener, result, "fed coordinator");
        this.s = s;
        this.server = new FedSpeedServer(s.server());
        this.restore = restore;
        this.nodeDuals = nodeDuals;
        this.admission = new FedAdmission(ctx, s, roster, ledger, restore, listener, joins, admissionRun());
        acceptJoin(FedJoin.class, FedJoin::getVersion, FedJoin::getNodeRef, this::onJoin);
        accept(FedReady.class, FedReady::getVersion, FedReady::getNodeId, admission::onReady);
        accept(FedModelChunk.class, FedModelChunk::getVersion, FedModelChunk::getNodeId, this::onChunk);
        accept(FedDone.class, FedDone::getVersion, FedDone::getNodeId, this::onDone);
        accept(FedLeave.class, FedLeave::getVersion, FedLeave::getNodeId, this::onLeave);
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

    @Override
    protected double virtualSeconds() {
        return clock.now();
    }

    // ---- start ---------------------------------------------------------------------------

    @Override
    protected boolean loaded() {
        return x != null;
    }

    @Override
    protected void load() {
        jobs.run(() -> {
            Workload w = Workloads.get(s.workload(), s.runSeed());
            ParameterVector x0 = restore != null ? FedRestore.model(restore.state(), w.numParams()) : w.initialParameters();
            Model m = w.newModel();
            double[] e = restore != null ? new double[] {restore.state().getInitialLoss(), restore.state().getInitialAccuracy()}
                    : LoopbackCluster.evaluate(m, w, x0);
            VirtualClock.WorkCosts costs = s.workCosts() != null ? s.workCosts()
                    : WorkCalibration.measure(w, s.client().batchSize(), s.client().batchSize(), Distribution.GAUSSIAN,
                            PerturbationStream.DEFAULT_CHUNK_SIZE);
            return new Ready(w, x0, m, e[0], e[1], costs);
        }, r -> {
            Ready ready = (Ready) r;
            workload = ready.workload();
            x = ready.x();
            model = ready.model();
            initialLoss = ready.loss();
            initialAccuracy = ready.accuracy();
            clock = new VirtualClock(ready.costs());
            if (restore != null) {
                clock.advanceBy(restore.state().getVirtualTimeS());
                bytesCum = restore.state().getBytesCum();
                passesCum = restore.state().getForwardPassesCum();
                FedRestore.serverDuals(restore.state(), server, x.length());
                log.info("fed coordinator: resuming at round {} from its saved state; admitting the {} live members", restore.round(),
                        restore.state().getMembersCount());
            }
            var c = s.client();
            FedConfig config = FedConfig.newBuilder().setRunSeed(s.runSeed()).setWorkload(s.workload()).setNumParams(x.length())
                    .setLocalSteps(c.localSteps()).setInvLambda(c.invLambda()).setRho(c.rho()).setAlpha(c.alpha())
                    .setBatchSize(c.batchSize()).setCorrection(c.correction()).build();
            log.info("fed coordinator: {} run {} ready, d={}, eval loss {} accuracy {}; clock: {}; waiting for {} nodes",
                    s.algorithm(), s.runId(), x.length(), fmt(initialLoss), fmt(initialAccuracy),
                    WorkCalibration.describe(ready.costs()), s.nodes());
            admission.ready(config);
            if (restore != null && admission.allRestoredAdmitted()) {
                finishRestore(); // no live member at the boundary: the run waits for one, as it did
            }
            admitWaitingJoins();
        });
    }

    // ---- dispatch ------------------------------------------------------------------------

    @Override
    protected void onMemberEvent(ClusterEvent.MemberEvent e) {
        if (e instanceof ClusterEvent.MemberRemoved || e instanceof ClusterEvent.MemberDowned) {
            lost(e.member().address(), e.getClass().getSimpleName(), true);
        }
    }

    @Override
    protected void onReachability(ClusterEvent.ReachabilityEvent e) {
        if (e instanceof ClusterEvent.UnreachableMember) {
            lost(e.member().address(), "unreachable", false);
        } else if (e instanceof ClusterEvent.ReachableMember) {
            for (FedMember mb : roster.at(e.member().address())) {
                mb.unreachable = false;
            }
        }
    }

    /** Rejected messages are counted under "rejected:up:&lt;type&gt;", outside the rows. */
    @Override
    protected void countRejected(GeneratedMessage g) {
        ledger.add("rejected:up:" + g.getClass().getSimpleName(), Wire.wireBytes(g));
    }

    /** The member a node message claims to come from, or null (rejected and counted). */
    private FedMember known(int nodeId, GeneratedMessage g) {
        FedMember m = roster.get(nodeId);
        String type = g.getClass().getSimpleName();
        if (m == null) {
            reject("unknown-node:" + type, "node " + nodeId + " was never admitted", g);
            return null;
        }
        if (m.state == State.GONE) {
            reject("gone-node:" + type, "node " + nodeId + " has left or crashed", g);
            return null;
        }
        if (m.state == State.SUSPECT) {
            log.info("fed coordinator: node {} is back; it takes part again from the next round", m.id);
            m.state = State.ACTIVE;
            m.crashCounted = false;
        }
        m.unreachable = false; // it was just heard from
        return m;
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
                return FedCoordinator.this.known(nodeId, g);
            }

            @Override
            public void reject(String kind, String detail, GeneratedMessage g) {
                FedCoordinator.this.reject(kind, detail, g);
            }

            @Override
            public void ready(FedMember m, boolean restored) {
                if (m.leaving) {
                    ackLeave(m);
                }
                if (restore == null) {
                    maybeStart(x != null, s.nodes(), "ready");
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

    private void onLeave(FedLeave l) {
        FedMember m = known(l.getNodeId(), l);
        if (m == null) {
            return;
        }
        ledger.received(m, l);
        m.leaving = true;
        log.info("fed coordinator: node {} leaves", m.id);
        if (m.state != State.BUILDING && !(open && pending.contains(m.id))) {
            ackLeave(m);
        }
    }

    private void ackLeave(FedMember m) {
        ackLeave(m, FedLeave.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).build());
    }

    private void lost(Address address, String why, boolean forGood) {
        if (finished) {
            return; // the cluster shutting down after the run
        }
        for (FedMember m : roster.at(address)) {
            if (m.state == State.GONE) {
                continue;
            }
            if (m.leaving) {
                if (forGood) {
                    ackLeave(m);
                }
                continue;
            }
            if (m.state == State.ACTIVE && !(open && pending.contains(m.id))) {
                // not waited for now: the coordinator learns of it when a round samples it
                m.unreachable = true;
                m.removed |= forGood;
                log.info("fed coordinator: node {} {}; counted when a round next asks it to take part", m.id, why);
                continue;
            }
            markCrashed(m, why);
            m.state = forGood ? State.GONE : State.SUSPECT;
        }
    }

    private void markCrashed(FedMember m, String why) {
        crashed(m, why);
        if (!finished && open && pending.isEmpty()) {
            closeRound(false);
        }
    }

    /** Drops a node from the open round and counts its crash (once until it is heard from again). */
    @Override
    protected void crashed(FedMember m, String why) {
        pending.remove(m.id);
        m.assembly = null;
        if (finished) {
            return;
        }
        countCrashOnce(m, why);
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
        returned.clear();
        open = true;
        roundStartNanos = System.nanoTime();
        for (int id : pt) {
            FedMember m = roster.get(id);
            if (m.state != State.ACTIVE) {
                continue; // crashed between the member set and now: nothing to send, counted already
            }
            if (m.unreachable || m.removed) {
                crashed(m, m.removed ? "removed by the cluster before round " + r : "unreachable before round " + r);
                m.state = m.removed ? State.GONE : State.SUSPECT;
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
        if (pending.isEmpty()) {
            closeRound(false);
        }
    }

    private void onChunk(FedModelChunk c) {
        FedMember m = known(c.getNodeId(), c);
        if (m == null) {
            return;
        }
        String kind = null;
        String detail = null;
        if (!open || c.getRound() != current) {
            kind = c.getRound() <= current ? "late-round" : "unknown-round";
            detail = "round " + c.getRound() + " while " + (open ? "round " + current + " is open" : "no round is open");
        } else if (!pending.contains(m.id) || m.assembly == null) {
            kind = returned.containsKey(m.id) ? "duplicate" : "not-participant";
            detail = "node " + m.id + " is not expected to send x̂ in round " + current;
        } else {
            String bad = m.assembly.accept(c);
            if (bad != null) {
                kind = bad.substring(0, bad.indexOf(':'));
                detail = bad;
            }
        }
        if (kind != null) {
            reject(kind + ":FedModelChunk", detail, c);
            return;
        }
        ledger.received(m, c);
        maybeReturned(m);
    }

    /** A participant has returned once it sent every chunk of x̂_i and its FedDone for the round. */
    private void maybeReturned(FedMember m) {
        if (m.assembly != null && m.assembly.complete() && m.done != null && m.done.getRound() == current) {
            returned.put(m.id, m.assembly.vector());
            m.assembly = null;
            pending.remove(m.id);
            if (pending.isEmpty()) {
                closeRound(false);
            }
        }
    }

    private void onDone(FedDone d) {
        FedMember m = known(d.getNodeId(), d);
        if (m == null) {
            return;
        }
        String kind = null;
        if (!open || d.getRound() != current) {
            kind = d.getRound() <= current ? "late-round" : "unknown-round";
        } else if (!pending.contains(m.id)) {
            kind = "not-participant";
        } else if (m.done != null && m.done.getRound() == current) {
            kind = "duplicate";
        } else if (d.getGradientPasses() != s.gradientPassesPerRound() || !Double.isFinite(d.getComputeSeconds())) {
            kind = "bad-size";
        }
        if (kind != null) {
            reject(kind + ":FedDone", "node " + m.id + " round " + d.getRound() + " while " + current + " (open " + open
                    + "), " + d.getGradientPasses() + " gradient passes", d);
            return;
        }
        ledger.add("up:FedDone", Wire.wireBytes(d)); // telemetry, not in the rows
        m.done = d;
        maybeReturned(m);
    }

    @Override
    protected void closeRound(boolean byDeadline) {
        long r = current;
        double wall = (System.nanoTime() - roundStartNanos) / 1e9;
        endRound(r);
        boolean lostSome = returned.size() < pt.size();
        List<Integer> contributors = new ArrayList<>(returned.keySet());
        TreeMap<Integer, ParameterVector> xs = new TreeMap<>(returned);
        Set<Integer> members = mt;
        returned.clear();
        for (int id : pt) {
            FedMember m = roster.get(id);
            if (m.leaving && m.state != State.GONE) {
                ackLeave(m);
            }
        }
        RoundTally tally = tally(contributors, byDeadline || lostSome);
        RunBudget.Stop stop = s.budget().reached(r + 1, clock.now() + tally.seconds(), bytesCum + tally.up() + tally.down());
        boolean eval = r == 0 || (r + 1) % s.evalEvery() == 0 || stop != null;
        ParameterVector previous = x;
        jobs.run(() -> {
            ParameterVector next = server.next(r, previous, xs, members);
            double[] e = eval ? LoopbackCluster.evaluate(model, workload, next) : new double[] {Double.NaN, Double.NaN};
            return new Closed(next, e[0], e[1]);
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
        clock.advanceBy(t.seconds());
        bytesCum += t.up() + t.down();
        passesCum += t.passes();
        MetricsRow row = new MetricsRow(s.runId(), s.algorithm().id(), r, clock.now(), (System.nanoTime() - startNanos) / 1e9, mt.size(),
                pt.size(), contributors.size(), t.joined(), t.left(), t.crashed(),
                t.trainLoss(), c.evalLoss(), c.evalAccuracy(), t.up(), t.down(),
                bytesCum, passesCum, null, s.client().lrAt(r), s.runSeed());
        long hash = Wire.hash8(x.hash());
        recordRow(row, new RunListener.RoundReport(r, mt, Set.copyOf(contributors), byDeadline, wall, t.slowestCompute(),
                hash, Map.of()));
        if (stop == null && FedRestore.clean(roster.all(), !joinsWaiting())) {
            listener.atBoundary(r + 1, () -> FedRestore.state(s.algorithm().id(), r + 1, x, hash, clock.now(), bytesCum, passesCum,
                    initialLoss, initialAccuracy, roster.peekNextId(), roster.all(), server, nodeDuals));
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
        sendToLive(FedRunComplete.newBuilder().setVersion(Wire.VERSION).setRounds(roundsDone).build());
        RunResult res = runResult(x.hashHex(), Map.of(), 0, stop);
        log.info("fed coordinator: {} run {} finished after {} rounds ({}); bytes by type {}", s.algorithm(), s.runId(), roundsDone,
                s.budget().describe(stop, roundsDone, clock.now(), bytesCum), ledger.byType());
        complete(res);
    }
}
