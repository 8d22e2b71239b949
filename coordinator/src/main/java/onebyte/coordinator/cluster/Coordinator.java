package onebyte.coordinator.cluster;

import onebyte.core.algorithm.Algorithm;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.GeneratedMessage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import onebyte.coordinator.clock.NodeLinks;
import onebyte.coordinator.clock.RunBudget;
import onebyte.coordinator.clock.VirtualClock;
import onebyte.coordinator.cluster.AdmittedNode.State;
import onebyte.coordinator.cluster.CoordinatorSignals.Deadline;
import onebyte.coordinator.metrics.MetricsRow;
import onebyte.coordinator.metrics.MetricsSink;
import onebyte.core.model.Model;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.spsa.RoundCommit;
import onebyte.core.spsa.SpsaServer;
import onebyte.node.engine.Engines;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.engine.Workload;
import onebyte.node.engine.Workloads;
import onebyte.node.wire.Wire;
import onebyte.proto.Admit;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogChunk;
import onebyte.proto.CommitLogRequest;
import onebyte.proto.Contribution;
import onebyte.proto.JoinRefused;
import onebyte.proto.JoinRequest;
import onebyte.proto.Leave;
import onebyte.proto.MetricsReport;
import onebyte.proto.RoundOpen;
import onebyte.proto.RunComplete;
import onebyte.proto.RunConfig;
import onebyte.proto.SnapshotChunk;
import onebyte.proto.SnapshotRequest;
import onebyte.proto.SyncDone;
import onebyte.proto.SyncMode;

/**
 * The round sequencer of an SPSA cluster run (SPEC §2): admission (node ids are never reused),
 * rounds (open round r for M_r, close when every member reported or at the deadline, broadcast
 * the commit sorted by (node, sample)), its own replica for evaluation, snapshots and hash
 * checks, the commit log for replay, and one {@link MetricsRow} per round.
 *
 * <p>Membership: a node is a member of the next round once it has synced. A node that misses a
 * deadline, or that the cluster reports unreachable, is counted as crashed in that round's row
 * and left out of later rounds (SUSPECT) until it is heard from again (then it takes part again,
 * with its replica checked by hash); a node removed from the cluster is gone for good. So a crash
 * costs at most one round deadline.
 *
 * <p>Bytes: every message the coordinator sends (down) or receives (up) is counted at payload +
 * {@link Wire#ENVELOPE_BYTES}. Rows count the algorithm's messages, sync traffic (snapshot
 * chunks, commit-log chunks) included; MetricsReport telemetry (which a real deployment would not
 * send) is counted apart, under "up:MetricsReport" in {@link RunResult#bytesByType()}, and so are
 * retried JoinRequests and their repeated Admits ("retry:up:JoinRequest", "retry:down:Admit";
 * how often a node retries depends on wall-clock timing). A round's
 * bytes are those exchanged from the previous round's close to this round's close, except those
 * exchanged with nodes counted as crashed by then (under "crashed:up" / "crashed:down"): whether
 * a message still went to a crashed node before the cluster downed it depends on wall-clock
 * timing, and the rows must not.
 *
 * <p>Virtual time of round r = max over the nodes whose codes were committed of that node's
 * time, and at least the round deadline when the round lost a member of M_r (crashed or missed
 * the deadline) or closed at its deadline. A node's time is, with
 * {@link SpsaRunSettings#workCosts()} set, {@link VirtualClock#participantSeconds} of its counted
 * work (forward passes, direction elements generated for its samples and for applying the
 * previous commit, as it reports them) and its bytes of round r over the links of its node class
 * ({@link SpsaRunSettings#links()}); without, its measured SPSA compute seconds + seconds applying
 * the previous commit + bytes up / uplink + bytes down / downlink + 2 · latency. The
 * coordinator's own apply and evaluation are not counted (evaluation is measurement, and the
 * apply runs while the nodes apply too).
 *
 * <p>The run stops after the round that reaches its {@link SpsaRunSettings#budget()}: rounds,
 * virtual seconds or bytes_cum, whichever comes first; that round is evaluated.
 *
 * <p>joined counts nodes that synced after round 0 opened (churn), in the row of the first round
 * they are members of (a churn join is a member of the round it is due in); the initial members
 * are not counted.
 *
 * <p>Train loss is the mean over the round's contributors of (l+ + l−)/2 of their samples; eval
 * loss and accuracy are computed on the coordinator's replica θ_{r+1} on rounds 0, E−1, 2E−1, ...
 * and the last round (NaN otherwise).
 */
public final class Coordinator extends ClusterCoordinator<Coordinator.Member> {
    private record Ready(Workload workload, ParameterVector theta, Model model, double loss, double accuracy) {}

    private record Applied(long hash, double evalLoss, double evalAccuracy) {}

    static final class Member extends AdmittedNode {
        boolean everActive;
        SyncMode sync;
        // telemetry of the current round
        double compute;
        double apply;
        long passes;
        long generated;
        double loss = Double.NaN;
        /** Restored: the direction elements of applying the commit before the restore point, added to its first report. */
        long generatedCarry;
        /** A returning node's replay starts from its own replica of this round (Admit.replay_from). */
        long replayFrom;

        Member(int id, ActorRef<Object> ref, String nodeClass, NodeLinks.Links links) {
            super(id, ref, nodeClass, links, State.SYNCING);
        }

        void resetRound() {
            compute = 0;
            apply = 0;
            passes = 0;
            generated = 0;
            loss = Double.NaN;
            up = 0;
            down = 0;
        }
    }

    private final SpsaRunSettings s;
    private final String selfRef;
    // a resumed run: where it starts, and the restored members still to admit
    private final RestorePoint restore;
    private final RestoreAdmission restoring;

    // replica
    private Workload workload;
    private Model model;
    private ReplicaEngine engine;
    private ParameterVector theta;
    private RunConfig runConfig;
    private final List<Commit> commitLog = new ArrayList<>();
    private final Map<Long, Long> hashByRound = new HashMap<>();
    private final List<SnapshotRequest> deferredSnapshots = new ArrayList<>();
    private final List<JoinRequest> deferredJoins = new ArrayList<>();

    // round
    private Set<Integer> mr = Set.of();
    private SpsaServer server; // the round's codes and their checks (core, SPEC §2)
    private final Map<Integer, Boolean> agreement = new TreeMap<>();

    // metrics
    private long forwardPassesCum;
    private double virtualTime;
    private final VirtualClock clock;
    private final Map<Integer, RunResult.FirstRound> firstRounds = new TreeMap<>();
    private long hashMismatches;

    private Coordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, SpsaRunSettings s, MetricsSink sink,
                        RunListener listener, CompletableFuture<RunResult> result, RestorePoint restore, java.time.Duration rejoinWait) {
        super(ctx, timers, sink, listener, result, "coordinator");
        this.s = s;
        this.restore = restore;
        List<onebyte.proto.StateMember> members = restore == null ? List.of() : restore.state().getMembersList();
        this.restoring = restore == null ? null
                : rejoinWait == null ? RestoreAdmission.inOrder(members) : RestoreAdmission.byRejoin(members, rejoinWait);
        // the path without the actor's incarnation uid: the same length in every run, so Admit's size is too
        this.selfRef = ctx.getSelf().path().toStringWithAddress(ctx.getSystem().address());
        this.clock = s.workCosts() == null ? null : new VirtualClock(s.workCosts());
    }

    /** The coordinator behavior; spawn it as "coordinator" under the user guardian (nodes find it by path). */
    public static Behavior<Object> create(SpsaRunSettings settings, MetricsSink sink, RunListener listener,
                                          CompletableFuture<RunResult> result) {
        return create(settings, sink, listener, result, null);
    }

    /**
     * As {@link #create(SpsaRunSettings, MetricsSink, RunListener, CompletableFuture)}, for a
     * resumed run when {@code restore} is not null: θ, the counters and the commit log come from
     * it, the restored members are admitted (in node-id order, under their node ids, by snapshot)
     * outside the rows, and the run goes on with round {@link RestorePoint#round()}.
     */
    public static Behavior<Object> create(SpsaRunSettings settings, MetricsSink sink, RunListener listener,
                                          CompletableFuture<RunResult> result, RestorePoint restore) {
        return behavior((ctx, timers) -> new Coordinator(ctx, timers, settings, sink, listener, result, restore, null));
    }

    /**
     * A multi-process run resumed from {@code restore} ({@code onebyte coordinator --resume}): as
     * {@link #create(SpsaRunSettings, MetricsSink, RunListener, CompletableFuture, RestorePoint)},
     * but the restored members are the node processes that outlived the old coordinator and come
     * back by themselves under their node ids ({@link RestoreAdmission#byRejoin}); after
     * {@code rejoinWait} the run goes on with those that came back, the others counted as crashed.
     */
    public static Behavior<Object> resumeByRejoin(SpsaRunSettings settings, MetricsSink sink, RunListener listener,
                                                  CompletableFuture<RunResult> result, RestorePoint restore,
                                                  java.time.Duration rejoinWait) {
        return behavior((ctx, timers) -> new Coordinator(ctx, timers, settings, sink, listener, result, restore, rejoinWait));
    }

    // ---- start ---------------------------------------------------------------------------

    @Override
    protected void load() {
        jobs.run(() -> {
            Workload w = Workloads.get(s.workload(), s.runSeed());
            ParameterVector t = w.initialParameters();
            Model m = w.newModel();
            if (restore != null) {
                return new Ready(w, t, m, restore.state().getInitialLoss(), restore.state().getInitialAccuracy());
            }
            double[] e = evaluate(m, w, t);
            return new Ready(w, t, m, e[0], e[1]);
        }, r -> {
            Ready ready = (Ready) r;
            workload = ready.workload();
            theta = ready.theta();
            model = ready.model();
            initialLoss = ready.loss();
            initialAccuracy = ready.accuracy();
            long h0 = Wire.hash8(theta.hash());
            hashByRound.put(0L, h0);
            if (restore != null) {
                restoreState();
            }
            runConfig = s.runConfig(theta.length(), h0);
            Engines.shareRegeneration(runConfig, s.sharedRegeneration()); // for this JVM's replicas; not on the wire
            engine = Engines.create(runConfig);
            server = new SpsaServer(s.samplesPerNode(), engine.codeWidth());
            log.info("coordinator: run {} ready, d={}, θ_0 {}, eval loss {} accuracy {}; waiting for {} nodes",
                    s.runId(), theta.length(), Long.toHexString(h0), fmt(initialLoss), fmt(initialAccuracy), s.nodes());
            if (restore != null && restoring.allBack()) {
                finishRestore(); // no live member at the boundary: the run waits for one, as it did
            } else if (restore != null && restoring.rejoinWait() != null) {
                log.info("coordinator: waiting up to {} s for the members {} to come back", restoring.rejoinWait().toSeconds(),
                        restore.state().getMembersList().stream().map(onebyte.proto.StateMember::getNodeId).toList());
                timers.startSingleTimer("rejoin-wait", new CoordinatorSignals.RejoinWaitOver(), restoring.rejoinWait());
            }
            List<JoinRequest> js = new ArrayList<>(deferredJoins);
            deferredJoins.clear();
            js.forEach(this::onJoin);
        });
    }

    /** θ, the commit log and the counters of the restore point (on the coordinator's thread, before anyone is admitted). */
    private void restoreState() {
        onebyte.proto.RunState st = restore.state();
        float[] values = new float[theta.length()];
        if (st.getModel().size() != 4L * values.length) {
            throw new IllegalStateException("the restored model has " + st.getModel().size() / 4 + " values, the run " + values.length);
        }
        Wire.bytesToFloats(st.getModel().toByteArray(), values, 0);
        ParameterVector restored = ParameterVector.of(values);
        if (Wire.hash8(restored.hash()) != st.getModelHash()) {
            throw new IllegalStateException("the restored model of round " + st.getRound() + " does not match its hash");
        }
        if (restore.commits().size() != st.getRound()) {
            throw new IllegalStateException("the commit log has " + restore.commits().size() + " commits before round " + st.getRound());
        }
        theta = restored;
        commitLog.addAll(restore.commits());
        for (int r = 0; r < restore.hashes().size(); r++) {
            hashByRound.put(r + 1L, restore.hashes().get(r));
        }
        virtualTime = st.getVirtualTimeS();
        bytesCum = st.getBytesCum();
        forwardPassesCum = st.getForwardPassesCum();
        log.info("coordinator: resuming at round {} from its saved state (θ {}); admitting the {} live members {}", st.getRound(),
                Long.toHexString(st.getModelHash()), st.getMembersCount(),
                st.getMembersList().stream().map(onebyte.proto.StateMember::getNodeId).toList());
    }

    /** Opens the restored run once every restored member came back (or the wait for them is over) and none is syncing. */
    private void maybeFinishRestore() {
        if (!started && restoring.allBack() && roster.all().stream().noneMatch(n -> n.state == State.SYNCING)) {
            finishRestore();
        }
    }

    /** The wait for the restored members is over: those that did not come back are counted as crashed. */
    @Override
    protected void onRejoinWaitOver() {
        if (started) {
            return;
        }
        List<Integer> gone = restoring.giveUp();
        if (!gone.isEmpty()) {
            log.warn("coordinator: nodes {} did not come back within {} s; the run goes on without them (counted as crashed)",
                    gone, restoring.rejoinWait().toSeconds());
            gone.forEach(id -> {
                counting.crashed();
                crashedNodes.add(id);
            });
        }
        maybeFinishRestore();
    }

    /** Every restored member synced: the restore's traffic is left out of the rows and round {@link RestorePoint#round()} opens. */
    private void finishRestore() {
        long k = restore.round();
        long carry = (long) commitLog.get((int) k - 1).getN() * theta.length();
        for (Member m : roster.all()) {
            m.resetRound();
            m.generatedCarry = carry; // every restored member applied commit k − 1 as an ACTIVE node (a clean boundary)
        }
        roster.continueIdsFrom(restore.state().getNextNodeId());
        started = true;
        startNanos = System.nanoTime();
        log.info("coordinator: {} members restored; opening round {}", roster.all().size(), k);
        openRound(k);
    }

    @Override
    protected boolean loaded() {
        return theta != null;
    }

    private static double[] evaluate(Model m, Workload w, ParameterVector t) {
        return LoopbackCluster.evaluate(m, w, t);
    }

    @Override
    protected double virtualSeconds() {
        return virtualTime;
    }

    // ---- dispatch ------------------------------------------------------------------------

    /** Snapshot requests wait while a job changes θ. */
    @Override
    protected void afterJob() {
        if (!jobs.busy()) {
            List<SnapshotRequest> reqs = new ArrayList<>(deferredSnapshots);
            deferredSnapshots.clear();
            reqs.forEach(this::onSnapshotRequest);
        }
    }

    @Override
    protected void onWire(GeneratedMessage g) {
        String wrong = g instanceof JoinRequest j ? wrongJoinSender(j.getNodeRef()) : wrongSender(claimedNode(g));
        if (wrong != null) {
            rejections.reject("wrong-sender:" + g.getClass().getSimpleName(), wrong);
            return;
        }
        if (g instanceof Contribution c) {
            if (rejections.versionOk(c.getVersion(), "Contribution")) onContribution(c);
        } else if (g instanceof MetricsReport r) {
            if (rejections.versionOk(r.getVersion(), "MetricsReport")) onReport(r);
        } else if (g instanceof JoinRequest j) {
            if (rejections.versionOk(j.getVersion(), "JoinRequest")) onJoin(j);
        } else if (g instanceof SyncDone d) {
            if (rejections.versionOk(d.getVersion(), "SyncDone")) onSyncDone(d);
        } else if (g instanceof SnapshotRequest r) {
            if (rejections.versionOk(r.getVersion(), "SnapshotRequest")) onSnapshotRequest(r);
        } else if (g instanceof CommitLogRequest r) {
            if (rejections.versionOk(r.getVersion(), "CommitLogRequest")) onLogRequest(r);
        } else if (g instanceof Leave l) {
            if (rejections.versionOk(l.getVersion(), "Leave")) onLeave(l);
        } else {
            rejections.reject("unexpected:" + g.getClass().getSimpleName(), "the coordinator does not accept it");
        }
    }


    /** The node id a node message names (-1 for the messages a node does not send). */
    private static int claimedNode(GeneratedMessage g) {
        if (g instanceof Contribution c) return c.getNodeId();
        if (g instanceof MetricsReport r) return r.getNodeId();
        if (g instanceof SyncDone d) return d.getNodeId();
        if (g instanceof SnapshotRequest r) return r.getNodeId();
        if (g instanceof CommitLogRequest r) return r.getNodeId();
        if (g instanceof Leave l) return l.getNodeId();
        return -1;
    }

    /** The member a node message claims to come from, or null (rejected and counted). */
    private Member known(int nodeId, String type) {
        Member m = roster.get(nodeId);
        if (m == null) {
            rejections.reject("unknown-node:" + type, "node " + nodeId + " was never admitted");
            return null;
        }
        if (m.state == State.GONE) {
            rejections.reject("gone-node:" + type, "node " + nodeId + " has left or crashed");
            return null;
        }
        return m;
    }

    /** Counts a message received; toward the node and the rows when it is one of the algorithm's. */
    private void countUp(Member m, GeneratedMessage msg, boolean algorithm) {
        ledger.received(algorithm ? m : null, msg);
    }

    // ---- admission -----------------------------------------------------------------------

    private void onJoin(JoinRequest j) {
        if (theta == null) {
            if (deferredJoins.stream().noneMatch(d -> d.getNodeRef().equals(j.getNodeRef()))) {
                deferredJoins.add(j); // retries of the same node are answered once
            }
            return;
        }
        if (finished) {
            return;
        }
        ActorRef<Object> ref;
        try {
            ref = ActorRefResolver.get(ctx.getSystem()).resolveActorRef(j.getNodeRef());
        } catch (RuntimeException e) {
            rejections.reject("bad-ref:JoinRequest", "'" + j.getNodeRef() + "': " + e.getMessage());
            return;
        }
        if (j.getNodeRef().isEmpty() || ref.path().address().hasLocalScope()) {
            rejections.reject("bad-ref:JoinRequest", "'" + j.getNodeRef() + "' is not a remote node");
            return;
        }
        Member existing = roster.byRef(j.getNodeRef());
        if (existing != null && existing.state != State.GONE) {
            Member m = existing;
            if (m.state == State.SYNCING) {
                // a retried request: same id, same answer; counted apart from the rows, since how
                // often a node retries depends on wall-clock timing
                Admit again = admission(m, m.sync, false);
                ledger.tell(m.ref, again);
                ledger.add("retry:up:JoinRequest", Wire.wireBytes(j));
                ledger.add("retry:down:Admit", Wire.wireBytes(again));
            } else {
                countUp(m, j, true);
                log.warn("coordinator: node {} asks for a resync ({})", m.id, j.getLabel());
                resync(m);
            }
            return;
        }
        NodeLinks.Links links = s.links().of(j.getNodeClass());
        if (links == null) {
            String reason = "node class '" + j.getNodeClass() + "' is not one of " + s.links().classes().keySet();
            rejections.reject("unknown-class:JoinRequest", reason);
            // it would only retry: tell it why, once per request, counted apart from the rows like retries
            JoinRefused refusal = JoinRefused.newBuilder().setVersion(Wire.VERSION).setReason(reason).build();
            ledger.tell(ref, refusal);
            ledger.add("refused:up:JoinRequest", Wire.wireBytes(j));
            ledger.add("refused:down:JoinRefused", Wire.wireBytes(refusal));
            return;
        }
        RestoreAdmission.Claim claim = null;
        if (restore != null && !started) {
            claim = restoring.claim(j, s.links().resolve(j.getNodeClass()), s.runSeed(), commitLog.size(), hashByRound);
            if (claim.refusal() != null) {
                rejections.reject("unexpected:JoinRequest", claim.refusal());
                return;
            }
        }
        Member m = new Member(claim != null ? claim.nodeId() : roster.nextId(), ref, s.links().resolve(j.getNodeClass()), links);
        roster.add(j.getNodeRef(), m);
        countUp(m, j, true);
        SyncMode mode;
        if (claim != null) {
            mode = claim.mode();
            m.replayFrom = claim.replayFrom();
            if (restoring.rejoinWait() != null) {
                log.info("coordinator: {}", RestoreAdmission.describe(claim, j, commitLog.size()));
            }
        } else if (!started && commitLog.isEmpty()) {
            mode = SyncMode.SYNC_NONE;
        } else {
            mode = j.getSync() == SyncMode.SYNC_AUTO || j.getSync() == SyncMode.SYNC_NONE ? defaultSync() : j.getSync();
        }
        log.info("coordinator: admitting node {} ({}, class {}) from round {} by {}", m.id, j.getLabel(), m.nodeClass,
                commitLog.size(), mode);
        admit(m, mode, false);
    }

    private SyncMode defaultSync() {
        switch (s.joinSync()) {
            case "snapshot":
                return SyncMode.SYNC_SNAPSHOT;
            case "replay":
                return SyncMode.SYNC_REPLAY;
            default:
                long replayBytes = commitLog.stream().mapToLong(c -> c.getSerializedSize() + 2).sum();
                return replayBytes < 4L * theta.length() ? SyncMode.SYNC_REPLAY : SyncMode.SYNC_SNAPSHOT;
        }
    }

    private void admit(Member m, SyncMode mode, boolean resync) {
        m.sync = mode;
        m.state = State.SYNCING;
        m.admitNanos = System.nanoTime();
        ledger.send(m, admission(m, mode, resync));
    }

    private Admit admission(Member m, SyncMode mode, boolean resync) {
        return Admit.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).setFirstRound(commitLog.size()).setSync(mode)
                .setCoordinatorRef(selfRef).setCoordinatorUid(ctx.getSelf().path().uid()).setConfig(runConfig).setResync(resync)
                .setReplayFrom(mode == SyncMode.SYNC_REPLAY ? m.replayFrom : 0).build();
    }

    private void resync(Member m) {
        pending.remove(m.id);
        m.replayFrom = 0;
        admit(m, SyncMode.SYNC_SNAPSHOT, true);
        maybeCloseEarly();
    }

    private void onSyncDone(SyncDone d) {
        Member m = known(d.getNodeId(), "SyncDone");
        if (m == null) {
            return;
        }
        countUp(m, d, true);
        if (m.state != State.SYNCING) {
            rejections.reject("unexpected:SyncDone", "node " + m.id + " is " + m.state);
            return;
        }
        Long expected = hashByRound.get(d.getRound());
        boolean agrees = expected != null && expected == d.getReplicaHash();
        joins.add(new RunResult.JoinRecord(m.id, m.sync.name(), d.getRound(), d.getBytes(), d.getSeconds(), agrees));
        listener.nodeSynced(joins.get(joins.size() - 1));
        log.info("coordinator: node {} synced by {} to round {}: {} bytes, {} s, hash {}", m.id, m.sync, d.getRound(),
                d.getBytes(), fmt(d.getSeconds()), agrees ? "agrees" : "DIFFERS");
        if (!agrees) {
            hashMismatches++;
            rejections.reject("hash-mismatch:SyncDone", "node " + m.id + " synced to a replica that differs");
            resync(m);
            return;
        }
        m.state = State.ACTIVE;
        if (!m.everActive) {
            m.everActive = true;
            m.joinUncounted = started; // churn; the initial members synced before round 0 opened
        }
        if (restore != null) {
            maybeFinishRestore();
            return;
        }
        maybeStart(theta != null, s.nodes(), "synced");
    }

    private void onSnapshotRequest(SnapshotRequest r) {
        Member m = known(r.getNodeId(), "SnapshotRequest");
        if (m == null) {
            return;
        }
        if (m.state != State.SYNCING) {
            rejections.reject("unexpected:SnapshotRequest", "node " + m.id + " is not syncing");
            return;
        }
        m.sync = SyncMode.SYNC_SNAPSHOT; // also a node whose own θ_0 did not match falls back to a snapshot
        if (jobs.busy()) {
            deferredSnapshots.add(r);
            return;
        }
        countUp(m, r, true);
        long round = commitLog.size();
        float[] values = theta.toArray();
        long hash = hashByRound.get(round);
        for (int off = 0; off < values.length; off += Wire.SNAPSHOT_CHUNK_FLOATS) {
            int len = Math.min(Wire.SNAPSHOT_CHUNK_FLOATS, values.length - off);
            boolean last = off + len == values.length;
            SnapshotChunk.Builder b = SnapshotChunk.newBuilder().setVersion(Wire.VERSION).setRound(round).setOffset(off)
                    .setTotal(values.length).setData(ByteString.copyFrom(Wire.floatsToBytes(values, off, len))).setLast(last);
            if (last) {
                b.setReplicaHash(hash);
            }
            ledger.send(m, b.build());
        }
    }

    private void onLogRequest(CommitLogRequest r) {
        Member m = known(r.getNodeId(), "CommitLogRequest");
        if (m == null) {
            return;
        }
        countUp(m, r, true);
        if (m.state != State.SYNCING || r.getFromRound() > r.getToRound() || r.getToRound() > commitLog.size()) {
            rejections.reject("unknown-round:CommitLogRequest", "rounds [" + r.getFromRound() + ", " + r.getToRound()
                    + ") of " + commitLog.size() + " from node " + m.id + " (" + m.state + ")");
            return;
        }
        int from = (int) r.getFromRound();
        int to = (int) r.getToRound();
        do {
            int end = Math.min(to, from + Wire.LOG_CHUNK_COMMITS);
            ledger.send(m, CommitLogChunk.newBuilder().setVersion(Wire.VERSION).addAllCommits(commitLog.subList(from, end))
                    .setLast(end == to).build());
            from = end;
        } while (from < to);
    }

    private void onLeave(Leave l) {
        Member m = known(l.getNodeId(), "Leave");
        if (m == null) {
            return;
        }
        countUp(m, l, true);
        m.leaving = true;
        log.info("coordinator: node {} leaves", m.id);
        if (!(open && pending.contains(m.id))) {
            ackLeave(m);
        }
        // else: it finishes the open round; acked after the commit
    }

    private void ackLeave(Member m) {
        ackLeave(m, Leave.newBuilder().setVersion(Wire.VERSION).setNodeId(m.id).build());
    }

    // ---- cluster membership --------------------------------------------------------------

    @Override
    protected void onMemberEvent(ClusterEvent.MemberEvent e) {
        if (e instanceof ClusterEvent.MemberRemoved || e instanceof ClusterEvent.MemberDowned) {
            for (Member m : roster.at(e.member().address())) {
                if (m.state == State.GONE) {
                    continue;
                }
                if (m.leaving) {
                    ackLeave(m);
                } else {
                    crashed(m, e.getClass().getSimpleName());
                    m.state = State.GONE;
                }
            }
        }
    }

    @Override
    protected void onReachability(ClusterEvent.ReachabilityEvent e) {
        for (Member m : roster.at(e.member().address())) {
            if (e instanceof ClusterEvent.UnreachableMember) {
                m.unreachable = true;
            } else if (e instanceof ClusterEvent.ReachableMember) {
                m.unreachable = false;
            }
            if (e instanceof ClusterEvent.UnreachableMember && m.state != State.GONE) {
                crashed(m, "unreachable");
                if (m.state != State.GONE) {
                    m.state = State.SUSPECT;
                }
            } else if (e instanceof ClusterEvent.ReachableMember && m.state == State.SUSPECT) {
                log.info("coordinator: node {} reachable again; it takes part again from the next round", m.id);
                m.state = State.ACTIVE;
                m.crashCounted = false;
            }
        }
    }

    @Override
    protected void crashed(Member m, String why) {
        pending.remove(m.id);
        if (finished) {
            return;
        }
        if (!m.leaving) {
            countCrashOnce(m, why);
        }
        maybeCloseEarly();
    }

    /** Any message from a node proves it is alive. */
    private void heardFrom(Member m) {
        if (m.state == State.SUSPECT && !m.unreachable) {
            log.info("coordinator: node {} is back; it takes part again from the next round", m.id);
            m.state = State.ACTIVE;
            m.crashCounted = false;
        }
    }

    // ---- rounds --------------------------------------------------------------------------

    /** M_r: every ACTIVE node not leaving. */
    @Override
    protected void membersFixed(long r, TreeSet<Integer> members) {
        mr = members;
    }

    @Override
    protected void sendRoundOpen(long r) {
        RoundOpen o = RoundOpen.newBuilder().setVersion(Wire.VERSION).setRound(r).addAllMembers(mr)
                .setDeadlineMs(s.roundDeadline().toMillis()).build();
        pending.clear();
        server.open(r, mr);
        agreement.clear();
        for (int id : mr) {
            Member m = roster.get(id);
            if (m.state == State.ACTIVE) {
                ledger.send(m, o);
                pending.add(id);
            }
        }
        open = true;
        roundStartNanos = System.nanoTime();
        timers.startSingleTimer("deadline", new Deadline(r), s.roundDeadline());
        maybeCloseEarly();
    }

    private void onContribution(Contribution c) {
        Member m = roster.get(c.getNodeId());
        if (m != null && m.state != State.GONE) {
            heardFrom(m);
        }
        String kind = null;
        String detail = null;
        if (m == null) {
            kind = "unknown-node";
            detail = "node " + c.getNodeId() + " was never admitted";
        } else if (m.state == State.GONE) {
            kind = "gone-node";
            detail = "node " + m.id + " has left or crashed";
        } else {
            SpsaServer.Rejection no = server.offer(c.getRound(), m.id, c.getSample(), c.getCode().toByteArray(), pending.contains(m.id));
            if (no != null) {
                kind = no.kind();
                detail = no.detail();
            }
        }
        if (kind != null) {
            rejections.reject(kind + ":Contribution", detail);
            countUp(null, c, false);
            return;
        }
        countUp(m, c, true);
        if (c.getSample() == 0) {
            boolean agrees = Wire.hash4(hashByRound.get(current)) == c.getReplicaHash();
            agreement.put(m.id, agrees);
            firstRounds.putIfAbsent(m.id, new RunResult.FirstRound(current, agrees));
            if (!agrees) {
                hashMismatches++;
                rejections.reject("hash-mismatch:Contribution", "node " + m.id + " computed round " + current
                        + " on a replica that differs; resyncing it");
                server.drop(m.id);
                resync(m);
                return;
            }
        }
        if (server.complete(m.id) && agreement.containsKey(m.id)) {
            pending.remove(m.id);
            maybeCloseEarly();
        }
    }

    private void onReport(MetricsReport r) {
        Member m = roster.get(r.getNodeId());
        if (m == null || m.state == State.GONE) {
            rejections.reject("unknown-node:MetricsReport", "node " + r.getNodeId());
            countUp(null, r, false);
            return;
        }
        heardFrom(m);
        countUp(m, r, false);
        if (!open || r.getRound() != current) {
            rejections.reject("late-round:MetricsReport", "round " + r.getRound() + " while " + current);
            return;
        }
        if (!mr.contains(m.id)) {
            rejections.reject("not-member:MetricsReport", "node " + m.id + " is not in round " + current);
            return;
        }
        m.compute = r.getComputeSeconds();
        m.apply = r.getApplySeconds();
        m.passes = r.getForwardPasses();
        m.generated = r.getGeneratedElements() + m.generatedCarry;
        m.generatedCarry = 0;
        m.loss = r.getTrainLoss();
    }

    private void maybeCloseEarly() {
        if (open && pending.isEmpty()) {
            closeRound(false);
        }
    }

    @Override
    protected void closeRound(boolean byDeadline) {
        long r = current;
        double wall = (System.nanoTime() - roundStartNanos) / 1e9;
        Set<Integer> missed = endRound(r);
        // the commit, sorted by (node, sample), of the members whose replica hash agreed (sample 0 with the hash arrived)
        RoundCommit rc = server.commit(id -> Boolean.TRUE.equals(agreement.get(id)));
        List<Integer> ids = new ArrayList<>();
        List<Integer> samples = new ArrayList<>();
        ByteArrayOutputStream codeBytes = new ByteArrayOutputStream();
        Set<Integer> contributors = new TreeSet<>();
        for (onebyte.core.spsa.Contribution e : rc.contributions()) {
            ids.add(e.nodeId());
            samples.add(e.sample());
            codeBytes.writeBytes(e.code());
            contributors.add(e.nodeId());
        }
        Commit commit = Commit.newBuilder().setVersion(Wire.VERSION).setRound(r).addAllNodeIds(ids).addAllSamples(samples)
                .setCodes(ByteString.copyFrom(codeBytes.toByteArray())).setN(ids.size()).setLr(s.lrAt(r)).build();
        commitLog.add(commit);
        listener.committed(commit);
        sendToLive(commit);
        for (int id : mr) {
            Member m = roster.get(id);
            if (m.leaving && m.state != State.GONE) {
                ackLeave(m);
            }
        }
        RoundTally tally = tally(contributors, byDeadline || contributors.size() < mr.size());
        RunBudget.Stop stop = s.budget().reached(r + 1, virtualTime + tally.seconds(), bytesCum + tally.up() + tally.down());
        ReplicaEngine.CommitEntries entries = new ReplicaEngine.CommitEntries(r, ids.stream().mapToInt(i -> i).toArray(),
                samples.stream().mapToInt(i -> i).toArray(), codeBytes.toByteArray(), engine.codeWidth(), s.lrAt(r));
        boolean eval = r == 0 || (r + 1) % s.evalEvery() == 0 || stop != null;
        jobs.run(() -> {
            engine.apply(theta, entries); // also when empty: weight decay applies every round (ReplicaUpdate)
            long h = Wire.hash8(theta.hash());
            double[] e = eval ? evaluate(model, workload, theta) : new double[] {Double.NaN, Double.NaN};
            return new Applied(h, e[0], e[1]);
        }, a -> finishRound(r, (Applied) a, tally, stop, byDeadline, wall, contributors, missed));
    }

    /**
     * Takes the round's bytes, work and membership changes off the members and counters (what
     * arrives from now on belongs to the next round) and computes the round's virtual seconds:
     * the slowest contributor, and at least the deadline when {@code lostSome}.
     */
    private RoundTally tally(Set<Integer> contributors, boolean lostSome) {
        double slowestMeasured = 0;
        List<VirtualClock.ParticipantWork> work = new ArrayList<>();
        for (Member m : roster.all()) {
            boolean contributed = contributors.contains(m.id);
            counting.bytes(m, contributed, ledger);
            counting.passes(m.passes);
            if (contributed) {
                if (!Double.isNaN(m.loss)) {
                    counting.loss(m.loss);
                }
                NodeLinks.Links l = m.links;
                work.add(new VirtualClock.ParticipantWork(m.passes, 0, m.generated, m.up, m.down, l));
                slowestMeasured = Math.max(slowestMeasured, m.compute + m.apply + m.up * 8.0 / (l.uplinkMbps() * 1e6)
                        + m.down * 8.0 / (l.downlinkMbps() * 1e6) + 2 * l.latencyMs() / 1000.0);
                counting.compute(m.compute);
            }
            m.resetRound();
        }
        double atLeast = lostSome ? s.roundDeadline().toNanos() / 1e9 : 0;
        return counting.close(clock != null ? clock.roundSeconds(work, 0, atLeast) : Math.max(slowestMeasured, atLeast));
    }

    private void finishRound(long r, Applied a, RoundTally t, RunBudget.Stop stop, boolean byDeadline, double wall,
                             Set<Integer> contributors, Set<Integer> missed) {
        hashByRound.put(r + 1, a.hash());
        virtualTime += t.seconds();
        bytesCum += t.up() + t.down();
        forwardPassesCum += t.passes();
        Boolean agree = agreement.isEmpty() ? null : !agreement.containsValue(Boolean.FALSE);
        int n = commitLog.get((int) r).getN();
        MetricsRow row = new MetricsRow(s.runId(), Algorithm.SPSA.id(), r, virtualTime, (System.nanoTime() - startNanos) / 1e9, mr.size(),
                mr.size() * s.samplesPerNode(), n, t.joined(), t.left(), t.crashed(),
                t.trainLoss(), a.evalLoss(), a.evalAccuracy(), t.up(), t.down(),
                bytesCum, forwardPassesCum, agree, s.lrAt(r), s.runSeed());
        recordRow(row, new RunListener.RoundReport(r, Set.copyOf(mr), contributors, byDeadline, wall, t.slowestCompute(),
                a.hash(), Map.copyOf(agreement)));
        if (stop == null && atCleanBoundary(contributors)) {
            listener.atBoundary(r + 1, () -> state(r + 1, a.hash()));
        }
        if (byDeadline) {
            log.info("coordinator: round {} closed at its deadline; missing {}", r, missed);
        }
        nextRound(r, stop);
    }

    /**
     * Whether every node still up took part in the round just closed (so each applied its commit
     * and has reported all its work) and none is joining, syncing or leaving: then the run can be
     * restored from θ, the counters and the member list alone. Members counted as crashed (SUSPECT
     * after a crash) are left out of the restored run.
     */
    private boolean atCleanBoundary(Set<Integer> contributors) {
        if (!deferredSnapshots.isEmpty() || !deferredJoins.isEmpty()) {
            return false;
        }
        for (Member m : roster.all()) {
            boolean clean = m.state == State.GONE || m.state == State.SUSPECT && m.crashCounted
                    || m.state == State.ACTIVE && !m.leaving && mr.contains(m.id) && contributors.contains(m.id);
            if (!clean) {
                return false;
            }
        }
        return true;
    }

    /** The coordinator's part of the state before round {@code next} (shards and churn are the churn driver's). */
    private onebyte.proto.RunState.Builder state(long next, long hash) {
        float[] values = theta.toArray();
        onebyte.proto.RunState.Builder b = onebyte.proto.RunState.newBuilder().setAlgorithm(Algorithm.SPSA.id()).setRound(next)
                .setModel(ByteString.copyFrom(Wire.floatsToBytes(values, 0, values.length))).setModelHash(hash)
                .setVirtualTimeS(virtualTime).setBytesCum(bytesCum).setForwardPassesCum(forwardPassesCum)
                .setInitialLoss(initialLoss).setInitialAccuracy(initialAccuracy).setNextNodeId(roster.peekNextId());
        for (Member m : roster.all()) {
            if (m.state == State.ACTIVE) {
                b.addMembers(onebyte.proto.StateMember.newBuilder().setNodeId(m.id).setNodeClass(m.nodeClass));
            }
        }
        return b;
    }

    @Override
    protected void finishRun(long roundsDone, RunBudget.Stop stop) {
        finished = true;
        long h = hashByRound.get(roundsDone);
        sendToLive(RunComplete.newBuilder().setVersion(Wire.VERSION).setRounds(roundsDone).setFinalHash(h).build());
        RunResult res = new RunResult(List.copyOf(rows), theta.hashHex(), initialLoss, initialAccuracy, List.copyOf(joins),
                Map.copyOf(firstRounds), hashMismatches, rejections.snapshot(), Map.copyOf(ledger.byType()), Map.copyOf(ledger.byNode()),
                List.copyOf(crashedNodes), stop);
        log.info("coordinator: run {} finished after {} rounds ({}); final θ {}; bytes by type {}", s.runId(), roundsDone,
                s.budget().describe(stop, roundsDone, virtualTime, bytesCum), res.finalHash().substring(0, 16), ledger.byType());
        listener.finished(res);
        result.complete(res);
    }

    // ---- plumbing ------------------------------------------------------------------------

    static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
