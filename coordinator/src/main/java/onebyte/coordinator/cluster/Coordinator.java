package onebyte.coordinator.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import java.util.ArrayList;
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
import onebyte.core.algorithm.Algorithm;
import onebyte.core.tensor.ParameterVector;
import onebyte.core.spsa.RoundCommit;
import onebyte.core.spsa.SpsaServer;
import onebyte.node.engine.Engines;
import onebyte.node.engine.ReplicaEngine;
import onebyte.node.engine.Workload;
import onebyte.node.wire.Wire;
import onebyte.proto.Commit;
import onebyte.proto.CommitLogRequest;
import onebyte.proto.Contribution;
import onebyte.proto.JoinRequest;
import onebyte.proto.Leave;
import onebyte.proto.MetricsReport;
import onebyte.proto.RoundOpen;
import onebyte.proto.RunComplete;
import onebyte.proto.RunConfig;
import onebyte.proto.SnapshotRequest;
import onebyte.proto.SyncDone;

/**
 * The round sequencer of an SPSA cluster run (SPEC §2): rounds (open round r for M_r, close when
 * every member reported or at the deadline, broadcast the commit sorted by (node, sample)), the
 * membership they run on, its own replica for evaluation and hash checks
 * ({@link CoordinatorReplica}), and one {@link MetricsRow} per round. How a node gets in and
 * catches up (join, Admit, snapshot or commit-log sync, SyncDone, resync) is
 * {@link SpsaAdmission}'s; how a resumed run comes back, {@link SpsaRestore}'s.
 *
 * <p>Membership: a node is a member of the next round once it has synced; how crashes and leaves
 * are counted is {@link SpsaMembership}'s.
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
public final class Coordinator extends ClusterCoordinator<SpsaMember> {
    private record Applied(long hash, double[] eval) {}

    private final SpsaRunSettings s;
    private final SpsaRestore restore; // a resumed run's way back; null for a fresh run

    // replica
    private ReplicaEngine engine;
    private final CoordinatorReplica replica = new CoordinatorReplica();
    private final SpsaAdmission admission;
    private final SpsaMembership members = watch(new SpsaMembership(this));

    // round
    private Set<Integer> mr = Set.of();
    private SpsaServer server; // the round's codes and their checks (core, SPEC §2)
    private final Map<Integer, Boolean> agreement = new TreeMap<>();

    // metrics
    private final VirtualClock clock;
    private final Map<Integer, RunResult.FirstRound> firstRounds = new TreeMap<>();

    private Coordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, SpsaRunSettings s, MetricsSink sink,
                        RunListener listener, CompletableFuture<RunResult> result, RestorePoint restore, java.time.Duration rejoinWait) {
        super(ctx, timers, sink, listener, result, "coordinator");
        this.s = s;
        this.restore = restore == null ? null : new SpsaRestore(restore, rejoinWait);
        this.clock = s.workCosts() == null ? null : new VirtualClock(s.workCosts());
        this.admission = new SpsaAdmission(this, s, replica, this.restore == null ? null : this.restore.admission(),
                m -> {
                    pending.remove(m.id);
                    closeIfAllIn();
                },
                m -> {
                    if (this.restore != null) {
                        maybeFinishRestore();
                    } else {
                        maybeStart(s.nodes(), "synced");
                    }
                });
        acceptJoin(JoinRequest.class, JoinRequest::getVersion, JoinRequest::getNodeRef, admission::onJoin);
        accept(SyncDone.class, SyncDone::getVersion, SyncDone::getNodeId, admission::onSyncDone);
        accept(SnapshotRequest.class, SnapshotRequest::getVersion, SnapshotRequest::getNodeId, admission::onSnapshotRequest);
        accept(CommitLogRequest.class, CommitLogRequest::getVersion, CommitLogRequest::getNodeId, admission::onLogRequest);
        accept(Contribution.class, Contribution::getVersion, Contribution::getNodeId, this::onContribution);
        accept(MetricsReport.class, MetricsReport::getVersion, MetricsReport::getNodeId, this::onReport);
        accept(Leave.class, Leave::getVersion, Leave::getNodeId, l -> members.onLeave(l.getNodeId(), l));
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
        onebyte.proto.RunState restored = restore == null ? null : restore.state();
        jobs.run(() -> RunStart.load(s.workload(), s.runSeed(), restored, Workload::initialParameters), r -> {
            start = (RunStart) r;
            long h0 = replica.start(start.start());
            int d = start.start().length();
            if (restore != null) {
                restoreState();
            }
            RunConfig runConfig = s.runConfig(d, h0);
            Engines.shareRegeneration(runConfig, s.sharedRegeneration()); // for this JVM's replicas; not on the wire
            engine = Engines.create(runConfig);
            server = new SpsaServer(s.samplesPerNode(), engine.codeWidth());
            log.info("coordinator: run {} ready, d={}, θ_0 {}, eval loss {} accuracy {}; waiting for {} nodes",
                    s.runId(), d, Long.toHexString(h0), fmt(start.initialLoss()), fmt(start.initialAccuracy()), s.nodes());
            java.time.Duration rejoinWait = restore == null ? null : restore.admission().rejoinWait();
            if (restore != null && restore.admission().allBack()) {
                finishRestore(); // no live member at the boundary: the run waits for one, as it did
            } else if (rejoinWait != null) {
                log.info("coordinator: waiting up to {} s for the members {} to come back", rejoinWait.toSeconds(), restore.memberIds());
                timers.startSingleTimer("rejoin-wait", new CoordinatorSignals.RejoinWaitOver(), rejoinWait);
            }
            admission.ready(runConfig);
            admitWaitingJoins();
        });
    }

    /** θ, the commit log and the counters of the restore point (on the coordinator's thread, before anyone is admitted). */
    private void restoreState() {
        onebyte.proto.RunState st = restore.state();
        restore.restore(replica);
        totals.restore(st);
        log.info("coordinator: resuming at round {} from its saved state (θ {}); admitting the {} live members {}", st.getRound(),
                Long.toHexString(st.getModelHash()), st.getMembersCount(), restore.memberIds());
    }

    /** Opens the restored run once every restored member came back (or the wait for them is over) and none is syncing. */
    private void maybeFinishRestore() {
        if (!started && restore.complete(roster.all())) {
            finishRestore();
        }
    }

    /** The wait for the restored members is over: those that did not come back are counted as crashed. */
    @Override
    protected void onRejoinWaitOver() {
        if (started) {
            return;
        }
        List<Integer> gone = restore.admission().giveUp();
        if (!gone.isEmpty()) {
            log.warn("coordinator: nodes {} did not come back within {} s; the run goes on without them (counted as crashed)",
                    gone, restore.admission().rejoinWait().toSeconds());
            members.neverBack(gone);
        }
        maybeFinishRestore();
    }

    /** Every restored member synced: the restore's traffic is left out of the rows and round {@link RestorePoint#round()} opens. */
    private void finishRestore() {
        long k = restore.round();
        restore.carry(roster.all(), replica);
        openRestored(k, restore.state().getNextNodeId());
    }

    /** Snapshot requests wait while a job changes θ. */
    @Override
    protected void afterJob() {
        admission.afterJob();
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
            SpsaMember m = roster.get(id);
            if (m.state == State.ACTIVE) {
                ledger.send(m, o);
                pending.add(id);
            }
        }
        open = true;
        roundStartNanos = System.nanoTime();
        timers.startSingleTimer("deadline", new Deadline(r), s.roundDeadline());
        closeIfAllIn();
    }

    private void onContribution(Contribution c) {
        SpsaMember m = members.known(c.getNodeId(), c);
        SpsaServer.Rejection no = m == null ? null
                : server.offer(c.getRound(), m.id, c.getSample(), c.getCode().toByteArray(), pending.contains(m.id));
        if (m == null || no != null) {
            if (no != null) {
                rejections.reject(no.kind() + ":Contribution", no.detail());
            }
            ledger.received(null, c);
            return;
        }
        ledger.received(m, c);
        if (c.getSample() == 0) {
            boolean agrees = Wire.hash4(replica.hashAt(current)) == c.getReplicaHash();
            agreement.put(m.id, agrees);
            firstRounds.putIfAbsent(m.id, new RunResult.FirstRound(current, agrees));
            if (!agrees) {
                server.drop(m.id);
                admission.replicaDiffers(m, "hash-mismatch:Contribution", "node " + m.id + " computed round " + current
                        + " on a replica that differs; resyncing it");
                return;
            }
        }
        if (server.complete(m.id) && agreement.containsKey(m.id)) {
            pending.remove(m.id);
            closeIfAllIn();
        }
    }

    private void onReport(MetricsReport r) {
        SpsaMember m = roster.get(r.getNodeId());
        if (m == null || m.state == State.GONE) {
            rejections.reject("unknown-node:MetricsReport", "node " + r.getNodeId());
            ledger.received(null, r);
            return;
        }
        members.heardFrom(m);
        ledger.received(null, r);
        if (!open || r.getRound() != current) {
            rejections.reject("late-round:MetricsReport", "round " + r.getRound() + " while " + current);
            return;
        }
        if (!mr.contains(m.id)) {
            rejections.reject("not-member:MetricsReport", "node " + m.id + " is not in round " + current);
            return;
        }
        m.reported(r);
    }

    @Override
    protected void closeRound(boolean byDeadline) {
        long r = current;
        double wall = (System.nanoTime() - roundStartNanos) / 1e9;
        Set<Integer> missed = endRound(r);
        // the commit, sorted by (node, sample), of the members whose replica hash agreed (sample 0 with the hash arrived)
        RoundCommit rc = server.commit(id -> Boolean.TRUE.equals(agreement.get(id)));
        Commit commit = replica.commit(rc, s.lrAt(r));
        Set<Integer> contributors = new TreeSet<>(commit.getNodeIdsList());
        listener.committed(commit);
        members.sendToLive(commit);
        members.ackLeavers(mr);
        RoundTally tally = tally(contributors, byDeadline || contributors.size() < mr.size());
        RunBudget.Stop stop = totals.stopAfter(s.budget(), r, tally);
        ReplicaEngine.CommitEntries entries = ReplicaEngine.CommitEntries.of(commit, engine.codeWidth());
        boolean eval = r == 0 || (r + 1) % s.evalEvery() == 0 || stop != null;
        jobs.run(() -> {
            ParameterVector theta = replica.theta();
            engine.apply(theta, entries); // also when empty: weight decay applies every round (ReplicaUpdate)
            long h = Wire.hash8(theta.hash());
            return new Applied(h, start.evaluate(theta, eval));
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
        for (SpsaMember m : roster.all()) {
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
        replica.hashed(r + 1, a.hash());
        totals.add(t);
        Boolean agree = agreement.isEmpty() ? null : !agreement.containsValue(Boolean.FALSE);
        int n = replica.commit(r).getN();
        MetricsRow row = totals.row(s.runId(), Algorithm.SPSA.id(), r, (System.nanoTime() - startNanos) / 1e9, mr.size(),
                mr.size() * s.samplesPerNode(), n, t, a.eval(), agree, s.lrAt(r), s.runSeed());
        recordRow(row, new RunListener.RoundReport(r, Set.copyOf(mr), contributors, byDeadline, wall, t.slowestCompute(),
                a.hash(), Map.copyOf(agreement)));
        if (stop == null && SpsaRestore.clean(roster.all(), mr, contributors, admission.idle())) {
            listener.atBoundary(r + 1, () -> SpsaRestore.state(r + 1, replica.theta().toArray(), a.hash(), totals, start,
                    roster.peekNextId(), roster.all()));
        }
        if (byDeadline) {
            log.info("coordinator: round {} closed at its deadline; missing {}", r, missed);
        }
        nextRound(r, stop);
    }

    @Override
    protected void finishRun(long roundsDone, RunBudget.Stop stop) {
        finished = true;
        long h = replica.hashAt(roundsDone);
        members.sendToLive(RunComplete.newBuilder().setVersion(Wire.VERSION).setRounds(roundsDone).setFinalHash(h).build());
        RunResult res = runResult(replica.theta().hashHex(), firstRounds, admission.hashMismatches(), stop);
        log.info("coordinator: run {} finished after {} rounds ({}); final θ {}; bytes by type {}", s.runId(), roundsDone,
                totals.describe(s.budget(), stop, roundsDone), res.finalHash().substring(0, 16), ledger.byType());
        complete(res);
    }
}
